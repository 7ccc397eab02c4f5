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
  /** baseSubjectOf(subject) and its casemap() (the key), when the caller has them already (they depend on the subject only). */
  base?: { base: string; reply: boolean; key: string };
}

export interface ThreadNode<T> {
  /** Undefined for a dummy: a message that is referenced but not here. */
  message?: T;
  children: ThreadNode<T>[];
  /**
   * Set on nodes made for this forest alone (the roots, the dummies gathering them); the others
   * are kept copies (ReferenceThreads) that later forests hand out again, unchanged.
   */
  fresh?: boolean;
}

interface Container<T extends ThreadInput> {
  message: T | undefined;
  parent: Container<T> | undefined;
  children: Container<T>[];
  fresh: boolean;
}

const container = <T extends ThreadInput>(message?: T): Container<T> => ({ message, parent: undefined, children: [], fresh: false });

/** A container's own message, or for a dummy the message of its first child (after sorting). */
function firstMessage<T extends ThreadInput>(c: Container<T>): T | undefined {
  for (let x: Container<T> | undefined = c; x; x = x.children[0]) if (x.message) return x.message;
  return undefined;
}

/** Sorts containers by their (first) message's sent date, then sequence number; each key read once. */
function sortByDate<T extends ThreadInput>(list: Container<T>[]): void {
  if (list.length < 2) return;
  const keyed = list.map((c) => ({ c, m: firstMessage(c)! }));
  keyed.sort((a, b) => a.m.date - b.m.date || a.m.seq - b.m.seq);
  for (let i = 0; i < keyed.length; i++) list[i] = keyed[i]!.c;
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

/** THREAD=REFERENCES of a set of messages, in one go. */
export function threadReferences<T extends ThreadInput>(messages: readonly T[]): ThreadNode<T>[] {
  let sorted = true;
  for (let i = 1; i < messages.length && sorted; i++) sorted = messages[i - 1]!.seq < messages[i]!.seq;
  const threads = new ReferenceThreads<T>();
  threads.add(sorted ? messages : [...messages].sort((a, b) => a.seq - b.seq));
  return threads.forest();
}

/**
 * THREAD=REFERENCES kept across calls: step (1) (linking by Message-ID and References) depends only
 * on the messages in sequence order, each processed after those before it, so messages with higher
 * sequence numbers than every one added so far (new mail, by uid) are linked into the kept
 * containers exactly as a full run would link them. Steps (2)-(7) then run on copies, so the
 * containers stay as step (1) left them for the next add(). Steps (3) and (4) (pruning, sorting
 * within a tree) depend on one tree alone: their result is kept per root and made again only for
 * trees add() touched, so after new mail the work grows with the change more than the mailbox.
 * Removing messages is not supported: an expunge starts a new one.
 */
export class ReferenceThreads<T extends ThreadInput> {
  private readonly byId = new Map<string, Container<T>>();
  /** Every container, dummies included. */
  private readonly all: Container<T>[] = [];
  private lastSeq = 0;
  /** Steps (3)-(4) of each untouched tree, by its root: pruned, sorted copies (never changed once made). */
  private readonly pruned = new Map<Container<T>, Container<T>[]>();
  /** Containers add() touched since the last forest(): their trees' kept copies are stale. */
  private readonly dirty = new Set<Container<T>>();
  /** How many messages were added. */
  size = 0;

  /** Links messages in, in ascending seq order, each above every seq added before (else it throws). */
  add(messages: readonly T[]): void {
    const byId = this.byId;
    const all = this.all;
    const dirty = this.dirty;
    // (1) Containers by Message-ID; a missing or duplicate id gets one of its own (in no table).
    const own: Container<T>[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      if (m.seq <= this.lastSeq) throw new Error(`ReferenceThreads.add: seq ${m.seq} after ${this.lastSeq}`);
      this.lastSeq = m.seq;
      const id = m.messageId;
      let c = id === '' ? undefined : byId.get(id);
      if (c === undefined || c.message) {
        c = container(m);
        all.push(c);
        if (id !== '' && !byId.has(id)) byId.set(id, c);
      } else {
        c.message = m;
      }
      own[i] = c;
      dirty.add(c);
    }
    this.size += messages.length;
    const containerFor = (id: string) => {
      let c = byId.get(id);
      if (!c) {
        byId.set(id, (c = container<T>()));
        all.push(c);
      }
      return c;
    };
    for (let i = 0; i < messages.length; i++) {
      const refs = messages[i]!.references;
      const self = own[i]!;
      // (1A) Link the references as a chain, never changing an existing parent, never making a loop.
      let prev: Container<T> | undefined;
      for (const ref of refs) {
        const c = containerFor(ref);
        if (prev && !c.parent && c !== prev && !isAncestor(c, prev)) {
          link(prev, c);
          dirty.add(c);
        }
        prev = c;
      }
      // (1B) The last reference is the message's parent (replacing another one).
      if (prev && prev !== self && !isAncestor(self, prev)) {
        if (self.parent) dirty.add(self.parent);
        unlink(self);
        link(prev, self);
      } else if (!prev) {
        if (self.parent) dirty.add(self.parent);
        unlink(self);
      }
    }
  }

  /** Steps (2)-(7) on copies of the linked containers: the forest. */
  forest(): ThreadNode<T>[] {
    // The trees add() changed (where a touched container is now, and where it was) are done again.
    for (const d of this.dirty) {
      this.pruned.delete(d);
      let root = d;
      while (root.parent) root = root.parent;
      this.pruned.delete(root);
    }
    this.dirty.clear();
    // (2) The roots; (3) prune dummies, copying what stays (one call per container, no list per call).
    const prune = (c: Container<T>, atRoot: boolean, parent: Container<T> | undefined, out: Container<T>[]): void => {
      if (c.message) {
        const copy: Container<T> = { message: c.message, parent, children: [], fresh: false };
        for (const child of c.children) prune(child, false, copy, copy.children);
        out.push(copy);
        return;
      }
      if (c.children.length === 0) return; // (3A)
      const kept: Container<T>[] = [];
      for (const child of c.children) prune(child, false, undefined, kept);
      if (kept.length === 0) return; // (3A), once its children went
      if (!atRoot || kept.length === 1) { // (3B) promote the children
        for (const child of kept) {
          child.parent = atRoot ? undefined : parent;
          out.push(child);
        }
        return;
      }
      const copy: Container<T> = { message: undefined, parent, children: kept, fresh: false };
      for (const child of kept) child.parent = copy;
      out.push(copy);
    };
    // (4) within each tree: children by date (a dummy by its first child's).
    const sortTree = (list: Container<T>[]) => {
      for (const c of list) if (c.children.length > 0) sortTree(c.children);
      sortByDate(list);
    };
    const roots: Container<T>[] = [];
    for (const c of this.all) {
      if (c.parent) continue;
      let trees = this.pruned.get(c);
      if (!trees) {
        trees = [];
        prune(c, true, undefined, trees);
        for (const t of trees) if (t.children.length > 0) sortTree(t.children);
        this.pruned.set(c, trees);
      }
      for (const t of trees) roots.push(t);
    }
    return gather(roots, true);
  }
}

/**
 * Steps (4)-(7) on pruned roots. The roots' own containers (and below them) are never changed:
 * they may be kept copies (ReferenceThreads); a root that gathers others is copied first. With
 * `childrenSorted`, every root's children are sorted already (step (4) below the roots).
 */
function gather<T extends ThreadInput>(input: Container<T>[], childrenSorted = false): ThreadNode<T>[] {
  const sortTree = (list: Container<T>[]) => {
    for (const c of list) if (c.children.length > 0) sortTree(c.children);
    sortByDate(list);
  };
  // Shells of the roots: step (5) links into these and their children lists are copied before a change.
  const roots = input.map((c): Container<T> => ({ message: c.message, parent: undefined, children: c.children, fresh: true }));
  const owned = new Set<Container<T>>();
  const own = (c: Container<T>) => {
    if (!owned.has(c)) {
      c.children = c.children.slice();
      owned.add(c);
    }
  };
  const join = (parent: Container<T>, child: Container<T>) => {
    own(parent);
    parent.children.push(child);
    child.parent = parent; // only shells and new dummies: kept copies are never linked here
  };
  // (4) Roots by date (a dummy by its first child's), children too.
  if (childrenSorted) sortByDate(roots);
  else sortTree(roots);
  // (5) Roots of the same base subject become one thread.
  const table = new Map<string, Container<T>>();
  const subjects = new Map<T, { base: string; reply: boolean; key: string }>();
  const subjectOf = (c: Container<T>) => {
    const m = firstMessage(c)!;
    if (m.base) return m.base;
    let v = subjects.get(m);
    if (!v) {
      const b = baseSubjectOf(m.subject);
      subjects.set(m, (v = { base: b.base, reply: b.reply, key: casemap(b.base) }));
    }
    return v;
  };
  for (const r of roots) {
    const { key, reply } = subjectOf(r);
    if (key === '') continue;
    const old = table.get(key);
    if (!old || (!r.message && old.message) || (old.message && r.message && subjectOf(old).reply && !reply)) table.set(key, r);
  }
  const merged: Container<T>[] = [];
  const at = new Map<Container<T>, number>(); // where each container is in merged
  const push = (c: Container<T>) => {
    at.set(c, merged.length);
    merged.push(c);
  };
  for (const r of roots) {
    if (r.parent) continue; // already gathered under another root
    const { key, reply } = subjectOf(r);
    const entry = key === '' ? undefined : table.get(key);
    if (!entry || entry === r) {
      if (!at.has(r)) push(r);
      continue;
    }
    if (!entry.message && !r.message) {
      // The children of r (kept copies) move under entry: their parent field is not read again.
      own(entry);
      for (const child of r.children) entry.children.push(child);
      r.children = [];
    } else if (!entry.message && r.message) {
      join(entry, r);
    } else if (entry.message && r.message && reply && !subjectOf(entry).reply) {
      join(entry, r);
    } else {
      // A new dummy holds both, in the table entry's place among the roots.
      const dummy = container<T>();
      dummy.fresh = true;
      owned.add(dummy);
      const i = at.get(entry);
      join(dummy, entry);
      join(dummy, r);
      table.set(key, dummy);
      if (i === undefined) push(dummy);
      else {
        merged[i] = dummy;
        at.delete(entry);
        at.set(dummy, i);
      }
    }
    if (!at.has(entry) && !entry.parent) push(entry);
  }
  // (6) Siblings by date, then sequence: lists step (5) changed (all of them when not sorted below the roots).
  if (!childrenSorted) sortTree(merged);
  else {
    const sortChanged = (c: Container<T>) => {
      if (!owned.has(c)) return;
      for (const child of c.children) sortChanged(child);
      sortByDate(c.children);
    };
    for (const r of merged) sortChanged(r);
    sortByDate(merged);
  }
  // (7) the forest: the containers are copies, handed out as they are.
  return merged;
}

/** THREAD=ORDEREDSUBJECT (§3): one thread per base subject, the earliest first, the rest its children by date. */
export function threadOrderedSubject<T extends ThreadInput>(messages: readonly T[]): ThreadNode<T>[] {
  const groups = new Map<string, T[]>();
  for (const m of messages) {
    const key = m.base?.key ?? casemap(baseSubjectOf(m.subject).base);
    const group = groups.get(key);
    if (group) group.push(m);
    else groups.set(key, [m]);
  }
  const byDate = (a: T, b: T) => a.date - b.date || a.seq - b.seq;
  const threads = [...groups.values()].map((list) => list.sort(byDate));
  threads.sort((a, b) => byDate(a[0]!, b[0]!));
  return threads.map(([first, ...rest]) => ({ message: first, children: rest.map((m) => ({ message: m, children: [] })) }));
}
