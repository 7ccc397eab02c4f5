/**
 * The search client for GET /api/search (src/web/api/routes/search.ts): what the search box and
 * its filters ask for, and a page of results. Types mirror the route's zod schema.
 */
import { call, type MessageLine } from '../api.ts';

export type SearchField = 'all' | 'subject' | 'from' | 'to' | 'body';
export const SEARCH_FIELDS: SearchField[] = ['all', 'subject', 'from', 'to', 'body'];

/** The advanced filters (the popover next to the search box). */
export interface SearchFilters {
  field: SearchField;
  /** One folder; undefined: every folder but Trash and Junk (the server's default). */
  folderId?: number;
  /** Arrival at or after / before, ms (local midnights from the date range). */
  since?: number;
  before?: number;
  attachment: boolean;
  unread: boolean;
}

export interface SearchRequest extends SearchFilters {
  q: string;
}

export const NO_FILTERS: SearchFilters = { field: 'all', attachment: false, unread: false };

/** Whether any filter narrows the search (then an empty query is a search too). */
export const hasFilter = (f: SearchFilters) =>
  f.field !== 'all' || f.folderId !== undefined || f.since !== undefined || f.before !== undefined || f.attachment || f.unread;

export interface SearchResult { total: number; more: boolean; page: number; pageSize: number; messages: MessageLine[] }

export const SEARCH_PAGE_SIZE = 30;

export function searchMail(r: SearchRequest, page: number): Promise<SearchResult> {
  const p = new URLSearchParams({ q: r.q, field: r.field, page: String(page), pageSize: String(SEARCH_PAGE_SIZE) });
  if (r.folderId !== undefined) p.set('folderId', String(r.folderId));
  if (r.since !== undefined) p.set('since', String(r.since));
  if (r.before !== undefined) p.set('before', String(r.before));
  if (r.attachment) p.set('attachment', 'true');
  if (r.unread) p.set('unread', 'true');
  return call<SearchResult>('GET', `/api/search?${p}`);
}

export const searchKey = (r: SearchRequest, page: number) => ['search', r, page] as const;
