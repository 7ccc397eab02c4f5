/**
 * The webmail's search (FEATURES W3 search box, issue #12): a user's query over subject,
 * addresses and body from the full-text index (fulltext/indexer.ts: Chinese segmented into
 * words, so 季度报告 finds 季度 报告), in one folder or every folder but Trash and Junk, with the
 * date range, attachment and unread filters, newest first and paged, with a total counted up to
 * SEARCH_COUNT_LIMIT. The query is split on spaces into phrases that must all occur; each phrase's
 * words are segmented the way the index holds them. Messages the indexer has not reached yet (it
 * runs right after each delivery) are found by their summaries: subject, from and to.
 * UserMail.search checks the actor first and hands the owner's folders here.
 */
import { MailError } from '../core/errors.ts';
import type { MailboxId } from '../core/ids.ts';
import { wordsOf } from '../fulltext/indexer.ts';
import type { Mailbox, Message, MessageSearch, StoreTx, SummaryField } from '../store/store.ts';

/** Where the words are looked for: anywhere, or the subject, the sender, the recipients, the body. */
export type SearchField = 'all' | 'subject' | 'from' | 'to' | 'body';
export const SEARCH_FIELDS: readonly SearchField[] = ['all', 'subject', 'from', 'to', 'body'];

export interface SearchQuery {
  /** What the user typed; may be empty when a filter is given. */
  text: string;
  field?: SearchField;
  /** One of the owner's folders; default: all of them but Trash and Junk. */
  folderId?: MailboxId;
  /** Arrival at or after (ms). */
  since?: number;
  /** Arrival before (ms). */
  before?: number;
  hasAttachment?: boolean;
  unreadOnly?: boolean;
  /** From 1. */
  page?: number;
  /** Default 30, at most 50. */
  pageSize?: number;
}

/** A page of search results: M is the store's Message here, UserMail hands out MessageViews. */
export interface SearchPage<M> {
  /** Matches counted, at most SEARCH_COUNT_LIMIT: see `more`. */
  total: number;
  /** More than `total` match: the count stopped there (a page past it may still have rows). */
  more: boolean;
  page: number;
  pageSize: number;
  /** Newest first, from any of the searched folders. */
  messages: M[];
}

/** Counting every match of a common word would cost as much as finding them all: stop here. */
export const SEARCH_COUNT_LIMIT = 1000;
export const MAX_QUERY_CHARS = 200;
/** More words than any real query has; each one is a condition of the statement. */
export const MAX_QUERY_WORDS = 32;
const SEARCH_PAGE_SIZE = 30;
const MAX_SEARCH_PAGE_SIZE = 50;
/** Not searched unless asked for by folder: what the user threw away or the filters put aside. */
const SKIPPED_BY_DEFAULT = new Set(['\\Trash', '\\Junk']);

const invalid = (field: string, message: string) => new MailError('INVALID_INPUT', message, { details: { field } });

/** The query's phrases: one per space-separated part, in the index's words (empty parts dropped). */
export function phrasesOf(text: string): string[][] {
  return text.split(/\s+/).map(wordsOf).filter((p) => p.length > 0);
}

/** Checks the query and turns it into the store's terms, except the mailboxes. INVALID_INPUT naming the field. */
function toStoreQuery(q: SearchQuery): Omit<MessageSearch, 'mailboxIds'> {
  const field = q.field ?? 'all';
  const page = q.page ?? 1;
  const pageSize = q.pageSize ?? SEARCH_PAGE_SIZE;
  if (!SEARCH_FIELDS.includes(field)) throw invalid('field', `field is one of ${SEARCH_FIELDS.join(', ')}`);
  if (q.text.length > MAX_QUERY_CHARS) throw invalid('q', `at most ${MAX_QUERY_CHARS} characters`);
  if (!Number.isSafeInteger(page) || page < 1) throw invalid('page', 'page counts from 1');
  if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_SEARCH_PAGE_SIZE) throw invalid('pageSize', `pageSize is 1 to ${MAX_SEARCH_PAGE_SIZE}`);
  if (q.since !== undefined && q.before !== undefined && q.since >= q.before) throw invalid('before', 'the range ends before it starts');
  const phrases = phrasesOf(q.text);
  const words = phrases.reduce((n, p) => n + p.length, 0);
  if (words > MAX_QUERY_WORDS) throw invalid('q', `at most ${MAX_QUERY_WORDS} words`);
  const filtered = q.folderId !== undefined || q.since !== undefined || q.before !== undefined || q.hasAttachment || q.unreadOnly;
  // Nothing to look for: refuse rather than list every message of every folder.
  if (words === 0 && !filtered) throw invalid('q', 'give words to search for, or a filter');
  return {
    phrases,
    field: field === 'all' ? 'text' : field === 'body' ? 'body' : 'headers',
    ...(field === 'subject' || field === 'from' || field === 'to' ? { summary: field satisfies SummaryField } : {}),
    since: q.since, before: q.before, hasAttachment: q.hasAttachment || undefined, unseenOnly: q.unreadOnly || undefined,
    offset: (page - 1) * pageSize, limit: pageSize, countLimit: SEARCH_COUNT_LIMIT,
  };
}

/** Runs a checked query over the owner's folders (all of `folders`, or the one asked for among them). */
export async function searchFolders(tx: StoreTx, folders: readonly Mailbox[], q: SearchQuery): Promise<SearchPage<Message>> {
  const terms = toStoreQuery(q);
  let boxes: readonly Mailbox[];
  if (q.folderId !== undefined) {
    const box = folders.find((f) => f.id === q.folderId);
    if (!box) throw new MailError('NOT_FOUND', `no folder ${q.folderId}`);
    boxes = [box];
  } else {
    boxes = folders.filter((f) => !(f.specialUse && SKIPPED_BY_DEFAULT.has(f.specialUse)));
  }
  const r = await tx.fulltext.find({ ...terms, mailboxIds: boxes.map((b) => b.id) });
  return {
    total: Math.min(r.total, SEARCH_COUNT_LIMIT), more: r.total > SEARCH_COUNT_LIMIT,
    page: q.page ?? 1, pageSize: terms.limit, messages: r.messages,
  };
}
