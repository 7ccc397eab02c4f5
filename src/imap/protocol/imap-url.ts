/**
 * IMAP URLs (RFC 5092) as CATENATE uses them (RFC 4469 §5): an absolute `imap://user@host/…`, an
 * absolute path `/mailbox;UIDVALIDITY=n/;UID=m[/;SECTION=s][/;PARTIAL=o[.l]]`, or a path relative
 * to the selected mailbox (`;UID=m/;SECTION=s`). Names and sections are %-decoded (UTF-8).
 * URLAUTH (RFC 4467) and EXPIRE are not supported: such a URL does not parse. Pure: no lookups.
 */

export interface ImapMessageUrl {
  /** The user named in an absolute URL (%-decoded), to be checked by the caller. */
  user?: string;
  /** undefined: the selected mailbox (a relative URL). */
  mailbox?: string;
  uidvalidity?: number;
  uid: number;
  /** The section spec as in BODY[…] (e.g. "1.2.MIME", "HEADER.FIELDS (From)"), "" for the whole message. */
  section: string;
  partial?: { origin: number; octets?: number };
}

const NUMBER = /^[1-9][0-9]{0,9}$/;

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** The message or part a URL names, or undefined when it is not one we can serve. */
export function parseImapUrl(url: string): ImapMessageUrl | undefined {
  let rest = url;
  let user: string | undefined;
  const absolute = /^imap:\/\/([^/]*)(\/.*)$/i.exec(rest);
  if (absolute) {
    // iserver = [iuserinfo "@"] host [":" port]; iuserinfo = enc-user [";AUTH=" …]
    const at = absolute[1]!.lastIndexOf('@');
    if (at >= 0) user = decode(absolute[1]!.slice(0, at).replace(/;AUTH=.*$/i, ''));
    rest = absolute[2]!;
  }
  let mailbox: string | undefined;
  let uidvalidity: number | undefined;
  if (rest.startsWith('/')) {
    // "/" enc-mailbox [";UIDVALIDITY=" nz-number] "/" ";UID=" …
    const m = /^\/([^;/][^;]*?)(?:;UIDVALIDITY=([0-9]+))?\/(;UID=.*)$/i.exec(rest);
    if (!m) return undefined;
    mailbox = decode(m[1]!);
    if (mailbox === undefined) return undefined;
    if (m[2] !== undefined) {
      if (!NUMBER.test(m[2])) return undefined;
      uidvalidity = Number(m[2]);
    }
    rest = m[3]!;
  }
  // ";UID=" nz-number ["/;SECTION=" enc-section] ["/;PARTIAL=" origin ["." length]]
  const m = /^;UID=([0-9]+)(?:\/;SECTION=([^/;]*))?(?:\/;PARTIAL=([0-9]+)(?:\.([0-9]+))?)?$/i.exec(rest);
  if (!m || !NUMBER.test(m[1]!) || Number(m[1]) > 0xffffffff) return undefined;
  const section = m[2] === undefined ? '' : decode(m[2]);
  if (section === undefined) return undefined;
  const out: ImapMessageUrl = { uid: Number(m[1]), section };
  if (user !== undefined) out.user = user;
  if (mailbox !== undefined) out.mailbox = mailbox;
  if (uidvalidity !== undefined) out.uidvalidity = uidvalidity;
  if (m[3] !== undefined) {
    out.partial = { origin: Number(m[3]) };
    if (m[4] !== undefined) {
      if (!NUMBER.test(m[4])) return undefined;
      out.partial.octets = Number(m[4]);
    }
  }
  return out;
}
