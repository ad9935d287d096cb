/**
 * Keeps a routing state's "is registered" facts in step with a registration store, for
 * a `RoutingState` that holds its own set (InMemoryRoutingState). A state can instead
 * delegate `isRegistered` to the store, which answers the same question directly.
 *
 * @example
 *   const state = new InMemoryRoutingState();
 *   const stop = feedRegistrations(store, state); // state.isRegistered('alice') follows the store
 *   stop();                                       // on shutdown
 */
import type { RegistrationStore } from './registration-store.js';

export interface RegisteredSink {
  setRegistered(user: string, registered: boolean): void;
}

/** Copies the store's current registered users into `sink`, then follows its events. Returns the unsubscribe. */
export function feedRegistrations(store: RegistrationStore, sink: RegisteredSink): () => void {
  const onRegistered = (user: string): void => sink.setRegistered(user, true);
  const onUnregistered = (user: string): void => sink.setRegistered(user, false);
  store.on('registered', onRegistered).on('unregistered', onUnregistered);
  for (const user of store.users()) sink.setRegistered(user, true);
  return () => {
    store.off('registered', onRegistered).off('unregistered', onUnregistered);
  };
}
