/**
 * Applies one REGISTER to a user's bindings, per RFC 3261 §10.3 steps 6-8, as a pure
 * function: the request, the user's current bindings and the `registrar` limits in, the
 * response to send and the user's new bindings out. Authentication (steps 1-5) is the
 * caller's. `applyRegister` runs it against a `RegistrationStore` and commits.
 *
 * | request                                        | response                                    |
 * |------------------------------------------------|---------------------------------------------|
 * | no Contact                                     | 200 listing the current bindings (a query)  |
 * | Contact `*` with Expires: 0                    | 200, every binding removed                  |
 * | Contact `*` otherwise                          | 400                                         |
 * | an expiry of 0 (expires param or Expires)      | that binding removed                        |
 * | an expiry > 0 below min_expires                | 423 with Min-Expires (nothing changes)      |
 * | an expiry above max_expires                    | granted max_expires                         |
 * | no expiry anywhere                             | granted default_expires                     |
 * | same Call-ID as a binding, CSeq not higher     | 500: out of order, nothing changes (step 7) |
 * | more than max_contacts bindings would result   | 403 (nothing changes)                       |
 *
 * Bindings are updated all or nothing (§10.3: "if and only if all binding updates and
 * additions succeed"). A binding's identity is its +sip.instance (and reg-id) when the
 * contact has one (RFC 5626/5627), else its URI compared per RFC 3261 §19.1.4 (see
 * `contactKey`). Two contacts with the same identity in one request: the last wins.
 * The 200 lists every binding, in try order, with its remaining lifetime (step 8).
 *
 * @example
 *   const result = applyRegister(store, {
 *     user: 'alice', contacts: parsed.contacts, expires: parseExpiresHeader(req.get('Expires')),
 *     callId, cseq, source: { address, port, transport }, now: clock.now(),
 *   }, config.registrar);
 *   // { status: 200, reason: 'OK', contacts: ['<sip:alice@192.0.2.10:5060>;expires=3600'], … }
 *   // 423: add `Min-Expires: ${result.minExpires}`
 */
import type { RegistrarDefinition } from '../config/schema/config.js';
import { isSipUri, parseUri, unescapeUri } from '../engine/message/uri.js';
import { compareBindings, type Binding, type BindingSource } from './binding.js';
import type { ContactEntry } from './contact-header.js';
import type { RegistrationStore } from './registration-store.js';

/** The `registrar` section: durations in ms. */
export type RegisterLimits = Pick<RegistrarDefinition, 'min_expires' | 'max_expires' | 'default_expires' | 'max_contacts'>;

export interface RegisterRequest {
  /** The authenticated user (the AOR of the To header). */
  readonly user: string;
  /** Parsed Contact fields (parseContactHeaders): empty for a query, or the wildcard. */
  readonly contacts: readonly ContactEntry[] | '*';
  /** The Expires header in seconds, when present and well formed. */
  readonly expires?: number | undefined;
  readonly callId: string;
  readonly cseq: number;
  readonly source: BindingSource;
  /** Epoch ms: the store's clock. */
  readonly now: number;
}

export type RegisterStatus = 200 | 400 | 403 | 423 | 500;

export interface RegisterResult {
  readonly status: RegisterStatus;
  readonly reason: string;
  /** Why a request failed, for the log (and a Warning header if wanted); absent on 200. */
  readonly detail?: string;
  /** The 200's Contact header values, e.g. `<sip:alice@192.0.2.10>;expires=3600`; empty otherwise. */
  readonly contacts: readonly string[];
  /** Seconds, for the 423's Min-Expires header. */
  readonly minExpires?: number;
  /** The user's bindings after the request, in try order (the current ones when it failed). */
  readonly bindings: readonly Binding[];
  /** Whether `bindings` differ from the current ones, i.e. the store must be written. */
  readonly changed: boolean;
}

/** Computes the outcome of one REGISTER without changing anything. */
export function processRegister(request: RegisterRequest, current: readonly Binding[], limits: RegisterLimits): RegisterResult {
  const { now } = request;
  const live = current.filter((b) => b.expiresAt > now);
  const fail = (status: Exclude<RegisterStatus, 200>, reason: string, detail: string, minExpires?: number): RegisterResult => ({
    status,
    reason,
    detail,
    contacts: [],
    bindings: live,
    changed: false,
    ...(minExpires === undefined ? {} : { minExpires }),
  });

  if (request.contacts === '*') {
    // Step 6: the wildcard is valid only with Expires: 0 (the parser already refused it alongside other contacts).
    if (request.expires !== 0) return fail(400, 'Bad Request', 'Contact "*" requires Expires: 0');
    const stale = live.find((b) => b.callId === request.callId && request.cseq <= b.cseq);
    if (stale !== undefined) return fail(500, 'Server Internal Error', outOfOrder(request, stale));
    return ok([], live.length > 0, now);
  }
  if (request.contacts.length === 0) return ok(live, false, now);

  // Step 6: every contact's expiry first, so a 423 changes nothing.
  const grants: number[] = [];
  for (const contact of request.contacts) {
    const requested = contact.expires ?? request.expires;
    if (requested === undefined) grants.push(limits.default_expires);
    else if (requested === 0) grants.push(0);
    else if (requested * 1000 < limits.min_expires) {
      const minExpires = Math.ceil(limits.min_expires / 1000);
      return fail(423, 'Interval Too Brief', `expiry ${requested}s of ${contact.uri} is below the minimum ${minExpires}s`, minExpires);
    } else grants.push(Math.min(requested * 1000, limits.max_expires));
  }

  // Step 7: tentative bindings, committed only if all succeed.
  const currentByKey = new Map<string, Binding>(live.map((b) => [b.key, b]));
  const next = new Map(currentByKey);
  let added = false;
  for (const [i, contact] of request.contacts.entries()) {
    const key = contactKey(contact);
    const existing = currentByKey.get(key);
    if (existing !== undefined && existing.callId === request.callId && request.cseq <= existing.cseq) {
      return fail(500, 'Server Internal Error', outOfOrder(request, existing));
    }
    const granted = grants[i] as number;
    if (granted === 0) {
      next.delete(key);
      continue;
    }
    if (existing === undefined) added = true;
    next.set(key, {
      user: request.user,
      key,
      uri: contact.uri,
      expiresAt: now + granted,
      updatedAt: now,
      callId: request.callId,
      cseq: request.cseq,
      q: contact.q,
      source: request.source,
      instance: contact.instance,
      regId: contact.regId,
    });
  }
  // Refreshes and removals always go through, even for a user above a lowered limit.
  if (added && next.size > limits.max_contacts) {
    return fail(403, 'Forbidden', `user ${request.user} would have ${next.size} contacts; at most ${limits.max_contacts} are allowed`);
  }
  return ok([...next.values()], true, now);
}

/** `processRegister` against a store, committing the new bindings on success. */
export function applyRegister(store: RegistrationStore, request: RegisterRequest, limits: RegisterLimits): RegisterResult {
  const result = processRegister(request, store.bindings(request.user), limits);
  if (result.changed) store.replace(request.user, result.bindings);
  return result;
}

/**
 * Identity of a contact within its user. With +sip.instance: the instance and reg-id
 * (RFC 5626 §6, RFC 5627 §6). Otherwise the URI per RFC 3261 §19.1.4, reduced to a
 * key: scheme and host case-insensitive, user case-sensitive after unescaping, port as
 * written (an absent port differs from 5060), and only the parameters that must match
 * when present in either URI (transport, user, ttl, method, maddr); others are ignored.
 */
export function contactKey(contact: Pick<ContactEntry, 'uri' | 'instance' | 'regId'>): string {
  if (contact.instance !== undefined) return `instance:${contact.instance}${contact.regId === undefined ? '' : `;reg-id=${contact.regId}`}`;
  const uri = parseUri(contact.uri);
  if (uri === null) return `raw:${contact.uri}`;
  if (!isSipUri(uri)) return `${uri.scheme}:${uri.opaque}`;
  let key = `${uri.scheme}:`;
  if (uri.user !== undefined) key += `${unescapeUri(uri.user)}${uri.password === undefined ? '' : `:${unescapeUri(uri.password)}`}@`;
  key += uri.host.toLowerCase();
  if (uri.port !== undefined) key += `:${uri.port}`;
  for (const name of ['transport', 'user', 'ttl', 'method', 'maddr']) {
    const value = uri.params.get(name);
    if (value !== undefined) key += `;${name}=${(value ?? '').toLowerCase()}`;
  }
  return key;
}

/** A binding as a 200's Contact header value, with its remaining lifetime in whole seconds. */
export function formatBindingContact(binding: Binding, now: number): string {
  let s = `<${binding.uri}>;expires=${Math.max(0, Math.ceil((binding.expiresAt - now) / 1000))}`;
  if (binding.q !== undefined) s += `;q=${binding.q}`;
  if (binding.instance !== undefined) s += `;+sip.instance="${binding.instance.replace(/[\\"]/g, (c) => '\\' + c)}"`;
  if (binding.regId !== undefined) s += `;reg-id=${binding.regId}`;
  return s;
}

function ok(bindings: Binding[], changed: boolean, now: number): RegisterResult {
  bindings.sort(compareBindings);
  return { status: 200, reason: 'OK', contacts: bindings.map((b) => formatBindingContact(b, now)), bindings, changed };
}

function outOfOrder(request: RegisterRequest, binding: Binding): string {
  return `REGISTER out of order: Call-ID ${request.callId} CSeq ${request.cseq} is not above the binding's CSeq ${binding.cseq} (${binding.uri})`;
}
