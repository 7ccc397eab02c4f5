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
   * On a root copied to gather others whose children are still those of a kept node: that node,
   * so the root's subtree reads (and formats) exactly as the kept one's. A node handed out is never
   * changed afterwards, by this forest or a later one, so its text may be kept by identity.
   */
  same?: ThreadNode<T>;
}

interface Container<T extends ThreadInput> {
  message: T | undefined;
  parent: Container<T> | undefined;
  children: Container<T>[];
  same: Container<T> | undefined;
  /** On a linked container with no parent: its tree after steps (3)-(4), kept until add() touches it. */
  pruned: Container<T>[] | undefined;
  /** The last forest (GatherState.round) this container was a root of (-1: none). */
  mark: number;
  /** The last forest in which this container stopped being a thread of the answer (0: none). */
  out: number;
}

/** Every container has every field from the start, so property reads stay monomorphic. */
const container = <T extends ThreadInput>(message?: T, parent?: Container<T>, children: Container<T>[] = [], same?: Container<T>): Container<T> =>
  ({ message, parent, children, same, pruned: undefined, mark: -1, out: 0 });

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
  /** Step (5)'s results and the roots' order, for the next forest(). */
  private readonly gathered = newGatherState<T>();
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
      d.pruned = undefined;
      let root = d;
      while (root.parent) root = root.parent;
      root.pruned = undefined;
    }
    this.dirty.clear();
    // (2) The roots; (3) prune dummies, copying what stays (one call per container, no list per call).
    const prune = (c: Container<T>, atRoot: boolean, parent: Container<T> | undefined, out: Container<T>[]): void => {
      if (c.message) {
        const copy = container(c.message, parent);
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
      const copy = container<T>(undefined, parent, kept);
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
      let trees = c.pruned;
      if (!trees) {
        trees = [];
        prune(c, true, undefined, trees);
        for (const t of trees) if (t.children.length > 0) sortTree(t.children);
        c.pruned = trees;
      }
      for (const t of trees) roots.push(t);
    }
    return gather(roots, this.gathered);
  }
}

/** The base subject of a root (its first message's), computed once per message when not given. */
function subjectOf<T extends ThreadInput>(c: Container<T>): { base: string; reply: boolean; key: string } {
  const m = firstMessage(c)!;
  if (!m.base) {
    const b = baseSubjectOf(m.subject);
    m.base = { base: b.base, reply: b.reply, key: casemap(b.base) };
  }
  return m.base;
}

/** What a forest keeps for the next one (ReferenceThreads.forest()). */
export interface GatherState<T extends ThreadInput> {
  /** Incremented per forest; roots carry the last one they were roots in (Container.mark). */
  round: number;
  /** The last forest's roots (pruned trees). */
  input: Container<T>[];
  /** Those roots by base subject (not the empty one). */
  bySubject: Map<string, Container<T>[]>;
  /** What step (5) made of each subject's roots: the threads they became. */
  threads: Map<string, Container<T>[]>;
  /** The last forest: its threads by date. */
  sorted: Container<T>[];
}

export const newGatherState = <T extends ThreadInput>(): GatherState<T> =>
  ({ round: 0, input: [], bySubject: new Map(), threads: new Map(), sorted: [] });

/**
 * Steps (5)-(7) on pruned roots whose children are sorted already. Step (5) works on the roots of
 * one base subject alone, so only the subjects whose roots changed since the last forest (a root
 * came, or went when add() touched its tree) are gathered again; the forest is the last one
 * without the threads that went, the new ones merged in by date. The roots (kept copies) are never
 * changed: a root that gathers others is a copy (a shell), made once for its subject.
 */
function gather<T extends ThreadInput>(input: Container<T>[], state: GatherState<T>): ThreadNode<T>[] {
  const round = ++state.round;
  const touched = new Set<string>();
  const added: Container<T>[] = [];
  for (const c of input) {
    if (c.mark !== round - 1) {
      const { key } = subjectOf(c);
      if (key === '') added.push(c);
      else {
        touched.add(key);
        const list = state.bySubject.get(key);
        if (list) list.push(c);
        else state.bySubject.set(key, [c]);
      }
    }
    c.mark = round;
  }
  const gone = new Set<Container<T>>();
  for (const c of state.input) {
    if (c.mark === round) continue;
    const { key } = subjectOf(c);
    if (key === '') c.out = round;
    else {
      touched.add(key);
      gone.add(c);
    }
  }
  state.input = input;
  for (const key of touched) {
    for (const t of state.threads.get(key) ?? []) t.out = round;
    let members = state.bySubject.get(key)!;
    if (gone.size > 0) members = members.filter((m) => !gone.has(m));
    if (members.length === 0) {
      state.bySubject.delete(key);
      state.threads.delete(key);
      continue;
    }
    sortByDate(members);
    state.bySubject.set(key, members);
    const threads = members.length === 1 ? [members[0]!] : gatherSubject(members);
    state.threads.set(key, threads);
    for (const t of threads) {
      if (t.out === round) t.out = 0; // a thread of the last forest still: it keeps its place
      else added.push(t);
    }
  }
  // (6) for the roots: the last order without the threads that went, the new ones merged in by date.
  const kept = state.sorted.filter((t) => t.out !== round);
  sortByDate(added);
  state.sorted = added.length === 0 ? kept : mergeByDate(kept, added);
  return state.sorted;
}

/** Two lists sorted by date (then sequence) as one. */
function mergeByDate<T extends ThreadInput>(a: Container<T>[], b: Container<T>[]): Container<T>[] {
  const out: Container<T>[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  let ma = i < a.length ? firstMessage(a[i]!)! : undefined;
  let mb = j < b.length ? firstMessage(b[j]!)! : undefined;
  while (ma && mb) {
    if (ma.date < mb.date || (ma.date === mb.date && ma.seq < mb.seq)) {
      out[k++] = a[i++]!;
      ma = i < a.length ? firstMessage(a[i]!)! : undefined;
    } else {
      out[k++] = b[j++]!;
      mb = j < b.length ? firstMessage(b[j]!)! : undefined;
    }
  }
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/**
 * Step (5) for the roots of one base subject, sorted by date: they become one thread. Shells of the
 * roots take the links; their children lists are copied before a change.
 */
function gatherSubject<T extends ThreadInput>(members: Container<T>[]): Container<T>[] {
  const roots = members.map((c) => container(c.message, undefined, c.children, c));
  const owned = new Set<Container<T>>();
  const own = (c: Container<T>) => {
    if (!owned.has(c)) {
      c.children = c.children.slice();
      c.same = undefined;
      owned.add(c);
    }
  };
  const join = (parent: Container<T>, child: Container<T>) => {
    own(parent);
    parent.children.push(child);
    child.parent = parent; // only shells and new dummies: kept copies are never linked here
  };
  // The subject table's entry (5B): the first root, unless a later one is a dummy (and it is not),
  // or it is a reply and a later message is not.
  let entry: Container<T> | undefined;
  for (const r of roots) {
    if (!entry || (!r.message && entry.message) || (entry.message && r.message && subjectOf(entry).reply && !subjectOf(r).reply)) entry = r;
  }
  const merged: Container<T>[] = [];
  const at = new Map<Container<T>, number>(); // where each container is in merged
  const push = (c: Container<T>) => {
    at.set(c, merged.length);
    merged.push(c);
  };
  for (const r of roots) {
    if (r.parent) continue; // already gathered under another root
    const e = entry!;
    if (e === r) {
      if (!at.has(r)) push(r);
      continue;
    }
    const reply = subjectOf(r).reply;
    if (!e.message && !r.message) {
      // The children of r (kept copies) move under the entry: their parent field is not read again.
      own(e);
      for (const child of r.children) e.children.push(child);
      r.children = [];
      r.same = undefined;
    } else if (!e.message && r.message) {
      join(e, r);
    } else if (e.message && r.message && reply && !subjectOf(e).reply) {
      join(e, r);
    } else {
      // A new dummy holds both, in the entry's place among the roots.
      const dummy = container<T>();
      owned.add(dummy);
      const i = at.get(e);
      join(dummy, e);
      join(dummy, r);
      entry = dummy;
      if (i === undefined) push(dummy);
      else {
        merged[i] = dummy;
        at.delete(e);
        at.set(dummy, i);
      }
    }
    if (!at.has(e) && !e.parent) push(e);
  }
  // (6) Siblings by date, then sequence: the lists step (5) changed.
  const sortChanged = (c: Container<T>) => {
    if (!owned.has(c)) return;
    for (const child of c.children) sortChanged(child);
    sortByDate(c.children);
  };
  for (const r of merged) sortChanged(r);
  sortByDate(merged);
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
