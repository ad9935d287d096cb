/**
 * The live facts a routing decision may consult. Everything else a decision depends on
 * is configuration or the instant, both passed in; the state is read-only here.
 *
 * | fact                 | used for                                                         |
 * |----------------------|------------------------------------------------------------------|
 * | isRegistered(user)   | a user with no registration and no static contact is skipped     |
 * | isGatewayInService   | out-of-service gateways are left out of a trunk's failover list  |
 * | queueLength(queue)   | a queue already at max_size sends the caller to its on_full      |
 *
 * @example
 *   const state = new InMemoryRoutingState({ registered: ['alice'], queueLengths: { support: 50 } });
 *   state.setGatewayInService('sip:127.0.0.1:5080', false);
 *   router.decide(call, instant, state);
 */
export interface RoutingState {
  /** Whether the user has at least one live registration. */
  isRegistered(user: string): boolean;
  /** False while health checks have taken the gateway out of service. */
  isGatewayInService(uri: string): boolean;
  /** Callers waiting in the queue now. */
  queueLength(queue: string): number;
}

export interface InMemoryRoutingStateOptions {
  /** Users with a registration, or 'everyone' (what `switchboard route` assumes). */
  readonly registered?: Iterable<string> | 'everyone';
  readonly gatewaysOutOfService?: Iterable<string>;
  readonly queueLengths?: Readonly<Record<string, number>>;
}

/** A `RoutingState` held in memory: for tests, the CLI dry run and a single node. */
export class InMemoryRoutingState implements RoutingState {
  private readonly everyone: boolean;
  private readonly registered: Set<string>;
  private readonly outOfService: Set<string>;
  private readonly lengths: Map<string, number>;

  constructor(options: InMemoryRoutingStateOptions = {}) {
    this.everyone = options.registered === 'everyone';
    this.registered = new Set(options.registered === 'everyone' ? [] : (options.registered ?? []));
    this.outOfService = new Set(options.gatewaysOutOfService ?? []);
    this.lengths = new Map(Object.entries(options.queueLengths ?? {}));
  }

  isRegistered(user: string): boolean {
    return this.everyone || this.registered.has(user);
  }

  isGatewayInService(uri: string): boolean {
    return !this.outOfService.has(uri);
  }

  queueLength(queue: string): number {
    return this.lengths.get(queue) ?? 0;
  }

  setRegistered(user: string, registered: boolean): void {
    if (registered) this.registered.add(user);
    else this.registered.delete(user);
  }

  setGatewayInService(uri: string, inService: boolean): void {
    if (inService) this.outOfService.delete(uri);
    else this.outOfService.add(uri);
  }

  setQueueLength(queue: string, length: number): void {
    this.lengths.set(queue, length);
  }
}
