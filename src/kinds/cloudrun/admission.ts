// Connection budget admission, first come first served, per Cloud SQL instance. Each config holds a grant:
// the demand it was admitted at. Lowering a demand frees the difference at once; raising it (or arriving)
// is granted only if the instance still has room, so the config that would push the instance over is the
// one refused, and nobody already admitted is ever pushed out. Kept current from watch events: a reconcile
// asks in O(waiting configs on its instance), not O(every peer).
//
// Who counts: configs that are valid, unpaused, allowed to target the instance's project (the kind says
// so through `counted`), and whose service was found. Grants survive restarts and leader changes through
// `status.connectionBudget`, which the kind writes and hands back the first time it sees an object.
// Among configs asking at the same time, the one created first (then by namespace/name) goes first.

import type { Contribution, DeclaredLimit } from "./budget.ts";

export interface MemberFacts {
  key: string;
  /** creationTimestamp, then key: who asked first. */
  order: string;
  /** The Cloud SQL instance, when the config names one. */
  instance: string | undefined;
  /** Valid, unpaused and allowed to target the instance's project. */
  counted: boolean;
  /** (pool.size + pool.maxOverflow) × scaling.maxInstances; undefined when unknown. */
  contribution?: Contribution;
  limit?: Limit;
  /** The grant an earlier process recorded in status; honoured the first time the config is seen. */
  recorded?: { instance: string; admitted: number };
}

export type Admission =
  | { outcome: "unbudgeted" }
  | { outcome: "admitted"; grant: number; limit?: number }
  | { outcome: "refused"; grant: number; requested: number; limit: number; message: string };

type Reading = "unread" | "found" | "missing";

interface Member extends MemberFacts {
  instance: string;
  grant: number;
  reading: Reading;
  /** The key of the limit this member is counted under in its instance's `limits`. */
  accounted?: string;
}

type Limit = Omit<DeclaredLimit, "keys">;

interface InstanceState {
  members: Map<string, Member>;
  /** Sum of the grants of members that count. */
  held: number;
  /** Members that count and want more than they hold. */
  waiting: Set<string>;
  /** The distinct limits members that count declare, with how many declare each. */
  limits: Map<string, { limit: Limit; declaredBy: number }>;
}

/** The most holders a message names; the rest are counted. */
const NAMED_HOLDERS = 5;

export class BudgetIndex {
  #instances = new Map<string, InstanceState>();
  #members = new Map<string, Member>();
  /** Keys not on any instance; kept so the first sight of a config is told apart from later events. */
  #unplaced = new Set<string>();
  #listener: ((keys: string[]) => void) | undefined;

  onRequeue(listener: (keys: string[]) => void): void {
    this.#listener = listener;
  }

  /** Records what a watch event (or a pass) says about a config; returns the waiting peers to re-check. */
  update(facts: MemberFacts): string[] {
    const before = this.#members.get(facts.key);
    const firstSight = before === undefined && !this.#unplaced.has(facts.key);
    if (facts.instance === undefined) {
      this.#unplaced.add(facts.key);
      return before ? this.#detach(before) : [];
    }
    this.#unplaced.delete(facts.key);
    const wake: string[] = [];
    let member = before;
    if (member && member.instance !== facts.instance) {
      wake.push(...this.#detach(member));
      member = undefined;
    }
    const state = this.#state(facts.instance);
    if (member === undefined) {
      const recorded = firstSight && facts.recorded?.instance === facts.instance ? facts.recorded.admitted : 0;
      member = { ...facts, instance: facts.instance, grant: 0, reading: recorded > 0 ? "found" : "unread" };
      state.members.set(facts.key, member);
      this.#members.set(facts.key, member);
      if (facts.counted) this.#setGrant(state, member, recorded);
    } else {
      const limitChanged = !sameLimit(member.limit, facts.limit);
      Object.assign(member, facts, { instance: facts.instance });
      if (limitChanged) wake.push(...state.waiting);
    }
    const released = this.#settle(state, member);
    if (released) wake.push(...state.waiting);
    return unique(wake, facts.key);
  }

  /** The config is gone (deleted, or no longer on any instance); returns the waiting peers to re-check. */
  remove(key: string): string[] {
    this.#unplaced.delete(key);
    const member = this.#members.get(key);
    return member ? this.#detach(member) : [];
  }

  /** The config's service was read: from now on it may hold a grant. */
  found(key: string): void {
    const member = this.#members.get(key);
    if (!member || member.reading === "found") return;
    member.reading = "found";
    this.#settle(this.#state(member.instance), member);
  }

  /** The config's service does not exist: it counts for nothing until it is found. */
  missing(key: string): void {
    const member = this.#members.get(key);
    if (!member || member.reading === "missing") return;
    member.reading = "missing";
    const state = this.#state(member.instance);
    if (this.#settle(state, member)) this.#wake(unique([...state.waiting], key));
  }

  /** Decides the config's grant for this pass: what it holds plus, if there is room, what it asks for. */
  admit(key: string): Admission {
    const member = this.#members.get(key);
    if (!member || !counts(member)) return { outcome: "unbudgeted" };
    // Only a config whose service was read asks (see found()).
    this.found(key);
    const state = this.#state(member.instance);
    const limit = smallestLimit(state);
    const demand = member.contribution?.demand;
    if (limit === undefined || demand === undefined) {
      // No limit declared, or no demand to count: nothing to refuse.
      if (this.#setGrant(state, member, demand ?? 0)) this.#wake(unique([...state.waiting], key));
      return limit === undefined ? { outcome: "unbudgeted" } : { outcome: "admitted", grant: 0, limit: limit.limit };
    }
    if (demand <= member.grant) {
      if (this.#setGrant(state, member, demand)) this.#wake(unique([...state.waiting], key));
      return { outcome: "admitted", grant: demand, limit: limit.limit };
    }
    let free = limit.limit - state.held;
    for (const other of this.#queue(state)) {
      const increase = (other.contribution?.demand ?? 0) - other.grant;
      if (other === member) {
        if (increase <= free) {
          this.#setGrant(state, member, demand);
          return { outcome: "admitted", grant: demand, limit: limit.limit };
        }
        break;
      }
      // An earlier request that fits goes first; one that does not fit does not hold up later ones.
      if (increase <= free) free -= increase;
    }
    return {
      outcome: "refused",
      grant: member.grant,
      requested: demand,
      limit: limit.limit,
      message: this.#refusal(state, member, limit),
    };
  }

  /** The grant to record in status, so a restart or a new leader honours it. */
  grantOf(key: string): { instance: string; admitted: number } | undefined {
    const member = this.#members.get(key);
    return member && counts(member) ? { instance: member.instance, admitted: member.grant } : undefined;
  }

  #state(instance: string): InstanceState {
    let state = this.#instances.get(instance);
    if (state === undefined) {
      state = { members: new Map(), held: 0, waiting: new Set(), limits: new Map() };
      this.#instances.set(instance, state);
    }
    return state;
  }

  /** Drops grants a member may no longer hold, re-files it; true when a grant shrank (room for others). */
  #settle(state: InstanceState, member: Member): boolean {
    this.#account(state, member);
    const demand = member.contribution?.demand;
    if (!counts(member)) return this.#setGrant(state, member, 0);
    if (demand !== undefined && demand < member.grant) return this.#setGrant(state, member, demand);
    this.#setGrant(state, member, member.grant);
    return false;
  }

  /** Sets a member's grant and whether it waits for more; true when the grant shrank. */
  #setGrant(state: InstanceState, member: Member, grant: number): boolean {
    const shrank = grant < member.grant;
    state.held += grant - member.grant;
    member.grant = grant;
    const wants = counts(member) && member.reading === "found" && (member.contribution?.demand ?? 0) > grant;
    if (wants) state.waiting.add(member.key);
    else state.waiting.delete(member.key);
    return shrank;
  }

  /** Keeps the instance's distinct limits current: only members that count declare one. */
  #account(state: InstanceState, member: Member): void {
    const limit = counts(member) ? member.limit : undefined;
    const key = limit && `${limit.maxConnections}|${limit.safetyMargin}`;
    if (key === member.accounted) return;
    if (member.accounted !== undefined) {
      const entry = state.limits.get(member.accounted);
      if (entry && --entry.declaredBy === 0) state.limits.delete(member.accounted);
    }
    if (limit && key) {
      const entry = state.limits.get(key) ?? { limit, declaredBy: 0 };
      entry.declaredBy += 1;
      state.limits.set(key, entry);
    }
    member.accounted = key;
  }

  #detach(member: Member): string[] {
    const state = this.#state(member.instance);
    const released = member.grant > 0;
    member.counted = false;
    this.#account(state, member);
    state.held -= member.grant;
    state.members.delete(member.key);
    state.waiting.delete(member.key);
    this.#members.delete(member.key);
    if (state.members.size === 0) this.#instances.delete(member.instance);
    return released || member.limit !== undefined ? unique([...state.waiting], member.key) : [];
  }

  #queue(state: InstanceState): Member[] {
    return [...state.waiting]
      .map((key) => state.members.get(key))
      .filter((m): m is Member => m !== undefined)
      .sort((a, b) => compare(a.order, b.order));
  }

  #wake(keys: string[]): void {
    if (keys.length > 0) this.#listener?.(keys);
  }

  /** Walks the instance's members (for the largest holders): once per pass of a refused config only. */
  #refusal(state: InstanceState, member: Member, limit: Limit): string {
    const c = member.contribution;
    const asked = c ? `(${c.poolSize} + ${c.maxOverflow}) × ${c.maxInstances} = ${c.demand}` : "?";
    const holders = [...state.members.values()].filter((m) => counts(m) && m.grant > 0 && m !== member);
    holders.sort((a, b) => b.grant - a.grant || compare(a.key, b.key));
    const othersHeld = state.held - member.grant;
    const increase = (c?.demand ?? 0) - member.grant;
    const named = holders.slice(0, NAMED_HOLDERS).map((m) => `${m.key} ${m.grant}`);
    const rest = holders.length - named.length;
    const queued = this.#queue(state).filter((m) => m !== member && compare(m.order, member.order) < 0);
    return [
      `Cloud SQL instance ${member.instance}: ${member.key} asks for ${asked} connections`,
      member.grant > 0 ? ` (it holds ${member.grant})` : "",
      `; ${holders.length} admitted ${holders.length === 1 ? "config holds" : "configs hold"} ${othersHeld}`,
      named.length > 0 ? ` (${named.join(", ")}${rest > 0 ? ` and ${rest} more` : ""})` : "",
      `, so ${othersHeld + member.grant + increase} would exceed the budget ` +
        `floor(${limit.maxConnections} × ${limit.safetyMargin}) = ${limit.limit}`,
      queued.length > 0 ? `; ${queued.length} earlier ${queued.length === 1 ? "request waits" : "requests wait"}` : "",
      ". Admitted configs keep their share; this one is admitted when the instance has room",
    ].join("");
  }
}

function counts(member: Member): boolean {
  return member.counted && member.reading !== "missing";
}

function smallestLimit(state: InstanceState): Limit | undefined {
  let smallest: Limit | undefined;
  for (const { limit } of state.limits.values()) {
    if (smallest === undefined || limit.limit < smallest.limit) smallest = limit;
  }
  return smallest;
}

function sameLimit(a: MemberFacts["limit"], b: MemberFacts["limit"]): boolean {
  return a?.limit === b?.limit && a?.maxConnections === b?.maxConnections && a?.safetyMargin === b?.safetyMargin;
}

function unique(keys: string[], except: string): string[] {
  return [...new Set(keys)].filter((k) => k !== except);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
