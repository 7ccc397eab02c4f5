/**
 * The rows of a mail list as an ARIA grid (MessageList.tsx, ConversationList.tsx): which rows are
 * ticked, which one is in the tab order (roving tabindex), and the keys a row answers: ↑/↓ (k/j),
 * Home/End move; Enter or o opens; Space or x ticks; s stars; u toggles read; Delete or # deletes;
 * ? lists the keys. What each action does to a row is the list's own (a message, or every message
 * of a conversation). Ticks and focus start again when `page` (folder and page) changes.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';

/** What a row's keys do to it. */
export interface RowActions {
  open(): void;
  star(): void;
  toggleRead(): void;
  remove(): void;
}

export function useListRows<K>(count: number, page: readonly unknown[], showHelp: () => void) {
  const [checked, setChecked] = useState<Set<K>>(new Set());
  const [focus, setFocus] = useState(0);
  const rows = useRef<(HTMLTableRowElement | null)[]>([]);
  useEffect(() => { setChecked(new Set()); setFocus(0); }, page);

  const moveFocus = (i: number) => {
    const n = Math.max(0, Math.min(count - 1, i));
    setFocus(n);
    rows.current[n]?.focus();
  };
  const toggleCheck = (key: K) => setChecked((s) => {
    const next = new Set(s);
    if (!next.delete(key)) next.add(key);
    return next;
  });
  const onRowKey = (e: KeyboardEvent, i: number, key: K, act: RowActions) => {
    if (e.target !== e.currentTarget) return; // keys inside a row's checkbox or star button are theirs
    const k = e.key;
    if (k === 'ArrowDown' || k === 'j') moveFocus(i + 1);
    else if (k === 'ArrowUp' || k === 'k') moveFocus(i - 1);
    else if (k === 'Home') moveFocus(0);
    else if (k === 'End') moveFocus(count - 1);
    else if (k === 'Enter' || k === 'o') act.open();
    else if (k === ' ' || k === 'x') toggleCheck(key);
    else if (k === 's') act.star();
    else if (k === 'u') act.toggleRead();
    else if (k === 'Delete' || k === '#') act.remove();
    else if (k === '?') showHelp();
    else return;
    e.preventDefault();
  };
  /** The props of row i: in the tab order when focused, its focus followed, its keys answered. */
  const rowProps = (i: number, key: K, act: RowActions) => ({
    ref: (el: HTMLTableRowElement | null) => { rows.current[i] = el; },
    tabIndex: i === focus ? 0 : -1,
    onFocus: () => setFocus(i),
    onKeyDown: (e: KeyboardEvent) => onRowKey(e, i, key, act),
  });
  return { checked, setChecked, setFocus, toggleCheck, rowProps };
}
