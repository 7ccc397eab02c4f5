/**
 * THREAD=REFERENCES (RFC 5256 §4, after Jamie Zawinski's algorithm), pure: messages in, a forest of
 * threads out. Messages are linked by Message-ID through their References (or, without one, the
 * first message id of In-Reply-To); a referenced message that is missing becomes a dummy parent;
 * dummies without children go, and those in the middle of a thread give way to their children;
 * roots with the same base subject are gathered under one thread; siblings go by sent date, then
 * sequence number. THREAD=ORDEREDSUBJECT (§3) is here too.
 */
import { baseSubjectOf, casemap } from './sort-keys.ts';

export interface ThreadInput {
  seq: number;
  /** Message-ID without angle brackets; '' when missing. */
  messageId: string;
  /** The References chain, oldest first (or In-Reply-To's first id when there is no References). */
  references: string[];
  /** Decoded Subject. */
  subject: string;
  /** Sent date (Date header, else internal date), ms. */
  date: number;
}

export interface ThreadNode<T> {
  /** Undefined for a dummy: a message that is referenced but not here. */
  message?: T;
  children: ThreadNode<T>[];
}

interface Container<T extends ThreadInput> {
  message?: T;
  parent?: Container<T>;
  children: Container<T>[];
}

const bySeqOrDate = <T extends ThreadInput>(a: Container<T>, b: Container<T>): number => {
  const x = firstMessage(a)!;
  const y = firstMessage(b)!;
  return x.date - y.date || x.seq - y.seq;
};

/** A container's own message, or for a dummy the message of its first child (after sorting). */
function firstMessage<T extends ThreadInput>(c: Container<T>): T | undefined {
  return c.message ?? (c.children[0] ? firstMessage(c.children[0]) : undefined);
}

function isAncestor<T extends ThreadInput>(candidate: Container<T>, of: Container<T>): boolean {
  for (let p: Container<T> | undefined = of; p; p = p.parent) if (p === candidate) return true;
  return false;
}

function unlink<T extends ThreadInput>(c: Container<T>): void {
  if (!c.parent) return;
  c.parent.children = c.parent.children.filter((x) => x !== c);
  c.parent = undefined;
}

function link<T extends ThreadInput>(parent: Container<T>, child: Container<T>): void {
  child.parent = parent;
  parent.children.push(child);
}

export function threadReferences<T extends ThreadInput>(messages: readonly T[]): ThreadNode<T>[] {
  const byId = new Map<string, Container<T>>();
  const ordered = [...messages].sort((a, b) => a.seq - b.seq);
  let unique = 0;
  // (1) Containers by Message-ID; a missing or duplicate id gets one of its own.
  const own = new Map<T, Container<T>>();
  for (const m of ordered) {
    let id = m.messageId;
    if (id === '' || byId.get(id)?.message) id = `\u0000unique-${unique++}`;
    const c = byId.get(id) ?? { children: [] };
    c.message = m;
    byId.set(id, c);
    own.set(m, c);
  }
  const containerFor = (id: string) => {
    let c = byId.get(id);
    if (!c) byId.set(id, (c = { children: [] }));
    return c;
  };
  for (const m of ordered) {
    const self = own.get(m)!;
    // (1A) Link the references as a chain, never changing an existing parent, never making a loop.
    let prev: Container<T> | undefined;
    for (const ref of m.references) {
      const c = containerFor(ref);
      if (prev && !c.parent && c !== prev && !isAncestor(c, prev)) link(prev, c);
      prev = c;
    }
    // (1B) The last reference is the message's parent (replacing another one).
    if (prev && prev !== self && !isAncestor(self, prev)) {
      unlink(self);
      link(prev, self);
    } else if (!prev) {
      unlink(self);
    }
  }
  // (2) The roots.
  let roots = [...new Set(byId.values())].filter((c) => !c.parent);
  // (3) Prune dummies.
  const prune = (list: Container<T>[], atRoot: boolean): Container<T>[] => {
    const out: Container<T>[] = [];
    for (const c of list) {
      c.children = prune(c.children, false);
      for (const child of c.children) child.parent = c;
      if (c.message) { out.push(c); continue; }
      if (c.children.length === 0) continue; // (3A)
      if (!atRoot || c.children.length === 1) { // (3B) promote the children
        for (const child of c.children) child.parent = undefined;
        out.push(...c.children);
        continue;
      }
      out.push(c);
    }
    return out;
  };
  roots = prune(roots, true);
  for (const r of roots) r.parent = undefined;
  // (4) Roots by date (a dummy by its first child's), children too.
  const sortTree = (list: Container<T>[]) => {
    for (const c of list) sortTree(c.children);
    list.sort(bySeqOrDate);
  };
  sortTree(roots);
  // (5) Roots of the same base subject become one thread.
  const table = new Map<string, Container<T>>();
  const subjects = new Map<T, { base: string; reply: boolean }>();
  const subjectOf = (c: Container<T>) => {
    const m = firstMessage(c)!;
    let v = subjects.get(m);
    if (!v) subjects.set(m, (v = baseSubjectOf(m.subject)));
    return v;
  };
  for (const r of roots) {
    const { base, reply } = subjectOf(r);
    if (base === '') continue;
    const key = casemap(base);
    const old = table.get(key);
    if (!old || (!r.message && old.message) || (old.message && r.message && subjectOf(old).reply && !reply)) table.set(key, r);
  }
  const merged: Container<T>[] = [];
  for (const r of roots) {
    if (r.parent) continue; // already gathered under another root
    const { base, reply } = subjectOf(r);
    const entry = base === '' ? undefined : table.get(casemap(base));
    if (!entry || entry === r) {
      if (!merged.includes(r)) merged.push(r);
      continue;
    }
    if (!entry.message && !r.message) {
      for (const child of r.children) link(entry, child);
      r.children = [];
    } else if (!entry.message && r.message) {
      link(entry, r);
    } else if (entry.message && r.message && reply && !subjectOf(entry).reply) {
      link(entry, r);
    } else {
      // A new dummy holds both, in the table entry's place among the roots.
      const dummy: Container<T> = { children: [] };
      const at = merged.indexOf(entry);
      link(dummy, entry);
      link(dummy, r);
      table.set(casemap(base), dummy);
      if (at >= 0) merged[at] = dummy;
      else merged.push(dummy);
    }
    if (!merged.includes(entry) && !entry.parent) merged.push(entry);
  }
  // (6) Siblings by date, then sequence; (7) the forest.
  sortTree(merged);
  const out = (c: Container<T>): ThreadNode<T> => ({ message: c.message, children: c.children.map(out) });
  return merged.map(out);
}

/** THREAD=ORDEREDSUBJECT (§3): one thread per base subject, the earliest first, the rest its children by date. */
export function threadOrderedSubject<T extends ThreadInput>(messages: readonly T[]): ThreadNode<T>[] {
  const groups = new Map<string, T[]>();
  for (const m of messages) {
    const key = casemap(baseSubjectOf(m.subject).base);
    groups.set(key, [...(groups.get(key) ?? []), m]);
  }
  const byDate = (a: T, b: T) => a.date - b.date || a.seq - b.seq;
  const threads = [...groups.values()].map((list) => list.sort(byDate));
  threads.sort((a, b) => byDate(a[0]!, b[0]!));
  return threads.map(([first, ...rest]) => ({ message: first, children: rest.map((m) => ({ message: m, children: [] })) }));
}
