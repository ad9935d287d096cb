/**
 * The registrar: registration bindings with expiry (registration-store), the REGISTER
 * rules of RFC 3261 §10.3 (register-request) and the Contact header reader
 * (contact-header). Pure and time-injected; the SIP application (src/app) wires it.
 *
 * @example
 *   import { InMemoryRegistrationStore, parseContactHeaders, applyRegister } from './registrar/index.js';
 *   const store = new InMemoryRegistrationStore({ clock: systemClock });
 *   const parsed = parseContactHeaders(contactValues);
 *   if (!parsed.ok) return reply(400, parsed.error);
 *   const result = applyRegister(store, { user, contacts: parsed.contacts, callId, cseq, source, now: systemClock.now() }, config.registrar);
 */
export { compareBindings, effectiveQ, type Binding, type BindingSource } from './binding.js';
export { parseContactHeaders, parseExpiresHeader, type ContactEntry, type ContactParseResult } from './contact-header.js';
export {
  applyRegister,
  contactKey,
  formatBindingContact,
  processRegister,
  type RegisterLimits,
  type RegisterRequest,
  type RegisterResult,
  type RegisterStatus,
} from './register-request.js';
export {
  InMemoryRegistrationStore,
  nodeTimers,
  type InMemoryRegistrationStoreOptions,
  type RegistrationEvent,
  type RegistrationListener,
  type RegistrationStore,
  type TimerFunctions,
} from './registration-store.js';
export { feedRegistrations, type RegisteredSink } from './routing-feed.js';
