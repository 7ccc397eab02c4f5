/**
 * The webmail's client for the JSON API (src/web/api, README "Webmail and the web API"): cookie
 * session, and the CSRF double submit: the pre-login token from GET /api/session/csrf, then the
 * session's own token (from login or /me) in X-CSRF-Token on every POST. Errors arrive as
 * { error: { code, message, field? } } and are thrown as ApiError for the screens to translate.
 * The types mirror the routes' zod schemas (src/web/api/routes/*.ts).
 */

export interface User { id: number; address: string; realName: string; quotaBytes: number }
/** 前台模块设置: the modules the user's domain offers (missing: on). */
export type Modules = Partial<Record<'personalContacts' | 'customerContacts' | 'enterpriseDirectory' | 'netDisk' | 'tools' | 'password' | 'calendar' | 'pop', boolean>>;
export interface Me { user: User; csrfToken: string; modules?: Modules }
export type SpecialUse = '\\Inbox' | '\\Drafts' | '\\Sent' | '\\Trash' | '\\Junk' | '\\Archive';
export interface Folder { id: number; name: string; specialUse: SpecialUse | null; messages: number; unseen: number; bytes: number }
export interface MessageLine {
  folderId: number; uid: number; flags: string[]; from: string; to: string; subject: string;
  sentAt: number | null; internalDate: number; size: number; hasAttachment: boolean; priority: 'high' | 'normal' | 'low';
}
export interface MessagePage { folder: Folder; total: number; unread: number; page: number; pageSize: number; messages: MessageLine[] }
/** A line of the conversation view: the messages of one thread in the folder (GET …/conversations). */
export interface Conversation {
  key: string; subject: string; participants: string[]; messages: number; unread: number; flagged: boolean; hasAttachment: boolean;
  newestDate: number; size: number; uids: number[]; latest: MessageLine;
}
export interface ConversationPage { folder: Folder; total: number; unread: number; page: number; pageSize: number; conversations: Conversation[] }
export interface Address { name: string; address: string }
export interface Attachment { index: number; fileName: string; contentType: string; size: number; inline: boolean }
export interface OpenedMessage extends MessageLine {
  content: {
    from: Address[]; to: Address[]; cc: Address[]; replyTo: Address[]; subject: string; date: number | null;
    messageId: string; inReplyTo: string; references: string[]; text: string; hasHtml: boolean; attachments: Attachment[];
  };
}

export interface MessageRef { folderId: number; uid: number }
/** What compose sends (src/web/api/routes/compose.ts ComposeBody). */
export interface ComposeBody {
  to: string[]; cc: string[]; bcc: string[]; subject: string; text: string; html?: string;
  priority: 'high' | 'normal' | 'low'; receipt: boolean; inReplyTo?: string; references?: string[];
  draft?: MessageRef & { dropAttachments?: number[] };
  original?: MessageRef & { action: 'reply' | 'forward' };
  attachmentsFrom?: MessageRef; forwardAttached?: MessageRef[]; saveSent?: boolean;
}
export interface Signature { id: string; name: string; format: 'html' | 'text'; content: string }
export interface ComposeOptions {
  signatures: Signature[]; defaultId: string | null;
  preferences: { format: 'html' | 'text'; saveSent: boolean };
}
export interface SavedDraft extends MessageRef { attachments: Attachment[] }
export interface Draft {
  from: string; to: string[]; cc: string[]; bcc: string[]; subject: string; text: string; html: string | null;
  inReplyTo: string; references: string[]; attachments: Attachment[];
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
  }
}

let csrfToken = '';

/**
 * One JSON request with the given CSRF token (every method but GET carries it, and a JSON body when
 * there is one); an error answer is thrown as ApiError. The webmail's and the admin console's
 * clients each keep their own token.
 */
export async function requestJson<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body: unknown, csrf: string): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (method !== 'GET') {
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (csrf) headers['x-csrf-token'] = csrf;
  }
  let res: Response;
  try {
    res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (err) {
    throw new ApiError(0, 'NETWORK', (err as Error).message);
  }
  if (!res.ok) throw await errorOf(res);
  return await res.json().catch(() => undefined) as T;
}

/** The ApiError of an answer that is not ok: the catalogue's {error: {code, message, field}} body, else its status. */
export async function errorOf(res: Response): Promise<ApiError> {
  const e = (await res.json().catch(() => undefined) as { error?: { code: string; message: string; field?: string } } | undefined)?.error;
  return new ApiError(res.status, e?.code ?? 'INTERNAL', e?.message ?? res.statusText, e?.field);
}

/** One webmail API call with the session's CSRF token. */
export const call = <T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> => requestJson<T>(method, path, body, csrfToken);

/** A POST without a session (forgotten password, registration): with a fresh pre-login CSRF token. */
export async function preLoginPost<T>(path: string, body: unknown): Promise<T> {
  csrfToken = (await call<{ csrfToken: string }>('GET', '/api/session/csrf')).csrfToken;
  return call<T>('POST', path, body);
}

const folderPath = (folderId: number) => `/api/folders/${encodeURIComponent(folderId)}/messages`;

export const api = {
  /** The logged-in user, or null when there is no session. */
  async me(): Promise<Me | null> {
    try {
      const me = await call<Me>('GET', '/api/session/me');
      csrfToken = me.csrfToken;
      return me;
    } catch (err) {
      if (err instanceof ApiError && err.code === 'AUTH_REQUIRED') return null;
      throw err;
    }
  },
  /** domain: the login page's domain, where a custom login field value (自定义用户字段) is looked up. */
  async login(address: string, password: string, domain?: string): Promise<Me> {
    csrfToken = (await call<{ csrfToken: string }>('GET', '/api/session/csrf')).csrfToken;
    const me = await call<Me>('POST', '/api/session/login', { address, password, ...(domain ? { domain } : {}) });
    csrfToken = me.csrfToken;
    return me;
  },
  async logout(): Promise<void> {
    await call('POST', '/api/session/logout', {});
    csrfToken = '';
  },
  registrationInfo: (domain: string) => call<{ registration: 'closed' | 'open' | 'approval'; companyName: string; showAdminLogin: boolean }>(
    'GET', `/api/register/info?domain=${encodeURIComponent(domain)}`),
  folders: () => call<{ folders: Folder[] }>('GET', '/api/folders').then((r) => r.folders),
  createFolder: (name: string, parentId?: number) => call<Folder>('POST', '/api/folders', { name, ...(parentId ? { parentId } : {}) }),
  renameFolder: (folderId: number, name: string) => call<{ ok: true }>('POST', `/api/folders/${folderId}/rename`, { name }),
  deleteFolder: (folderId: number) => call<{ ok: true }>('POST', `/api/folders/${folderId}/delete`, {}),
  emptyFolder: (folderId: number) => call<{ removed: number }>('POST', `/api/folders/${folderId}/empty`, {}),
  messages: (folderId: number, page: number, pageSize: number) =>
    call<MessagePage>('GET', `${folderPath(folderId)}?sort=date&order=desc&page=${page}&pageSize=${pageSize}`),
  conversations: (folderId: number, page: number, pageSize: number) =>
    call<ConversationPage>('GET', `/api/folders/${folderId}/conversations?sort=date&order=desc&page=${page}&pageSize=${pageSize}`),
  conversation: (folderId: number, key: string) =>
    call<{ messages: MessageLine[] }>('GET', `/api/folders/${folderId}/conversations/${encodeURIComponent(key)}`).then((r) => r.messages),
  message: (folderId: number, uid: number) => call<OpenedMessage>('GET', `${folderPath(folderId)}/${uid}`),
  sourceUrl: (folderId: number, uid: number, view: 'text' | 'eml') => `${folderPath(folderId)}/${uid}/source?view=${view}`,
  addContacts: (people: Array<{ name?: string; email: string }>) => call<{ added: number; existing: number }>('POST', '/api/contacts/add', { people }),
  htmlUrl: (folderId: number, uid: number) => `${folderPath(folderId)}/${uid}/html`,
  attachmentUrl: (folderId: number, uid: number, index: number) => `${folderPath(folderId)}/${uid}/attachments/${index}`,
  setFlags: (folderId: number, uids: number[], flags: { seen?: boolean; flagged?: boolean }) =>
    call<{ changed: number }>('POST', `${folderPath(folderId)}/flags`, { uids, ...flags }),
  move: (folderId: number, uids: number[], toFolderId: number) =>
    call<{ moved: { from: number; to: number }[] }>('POST', `${folderPath(folderId)}/move`, { uids, toFolderId }),
  check: (body: ComposeBody) => call<{ recipients: number }>('POST', '/api/compose/check', body),
  send: (body: ComposeBody) => call<{ queueId: number; sent?: MessageRef; draftRemoved: boolean }>('POST', '/api/compose/send', body),
  /** Recipients matching what was typed: personal contacts, colleagues, lists the user may send to. */
  autocomplete: (q: string) => call<{ suggestions: Array<{ name: string; address: string; source: 'personal' | 'directory' | 'list' }> }>(
    'GET', `/api/contacts/autocomplete?q=${encodeURIComponent(q)}&limit=8`).then((r) => r.suggestions),
  /** Signatures (with the default) and the preferences compose follows (src/web/api/routes/options.ts). */
  composeOptions: () => call<ComposeOptions>('GET', '/api/options/compose'),
  saveDraft: (body: ComposeBody) => call<SavedDraft>('POST', '/api/compose/drafts', body),
  draft: (ref: MessageRef) => call<Draft>('GET', `/api/compose/drafts/${ref.folderId}/${ref.uid}`),
  /** Uploads one file into the draft (its bytes as the body), reporting progress; answers the draft that replaces it. */
  upload: (ref: MessageRef, file: File, onProgress: (percent: number) => void) => new Promise<SavedDraft>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const q = new URLSearchParams({ name: file.name, ...(/^[\w.+-]+\/[\w.+-]+$/.test(file.type) ? { type: file.type } : {}) });
    xhr.open('POST', `/api/compose/drafts/${ref.folderId}/${ref.uid}/attachments?${q}`);
    xhr.setRequestHeader('content-type', 'application/octet-stream');
    xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) onProgress(Math.round((e.loaded / e.total) * 100)); };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'upload failed'));
    xhr.onload = () => {
      let json: { error?: { code: string; message: string; field?: string } } | undefined;
      try { json = JSON.parse(xhr.responseText); } catch { json = undefined; }
      if (xhr.status === 200) resolve(json as unknown as SavedDraft);
      else reject(new ApiError(xhr.status, json?.error?.code ?? 'INTERNAL', json?.error?.message ?? xhr.statusText, json?.error?.field));
    };
    xhr.send(file);
  }),
  remove: (folderId: number, uids: number[]) =>
    call<{ movedToTrash: number; removed: number }>('POST', `${folderPath(folderId)}/delete`, { uids }),
  /** Puts a sender on the list whose remote images always show (allow), or takes it off. */
  setImageSender: (address: string, allow: boolean) =>
    call<{ senders: string[] }>('POST', '/api/options/image-senders', { address, allow }),
};

/** TanStack Query keys, one place so a change can invalidate what it touched. */
export const keys = {
  me: ['me'] as const,
  folders: ['folders'] as const,
  messages: (folderId: number) => ['messages', folderId] as const,
  messagePage: (folderId: number, page: number) => ['messages', folderId, page] as const,
  conversationPage: (folderId: number, page: number) => ['messages', folderId, 'conversations', page] as const,
  conversation: (folderId: number, key: string) => ['messages', folderId, 'conversation', key] as const,
  message: (folderId: number, uid: number) => ['message', folderId, uid] as const,
};
