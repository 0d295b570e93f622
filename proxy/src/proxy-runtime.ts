import type { Logger } from './log.ts';
import type { ProxyConfig } from './config/schema.ts';
import { Router } from './routing/router.ts';
import type { Member } from './upstream/member.ts';
import type { MemberRegistry } from './upstream/member-registry.ts';
import { UpstreamService } from './upstream/upstream-service.ts';

/**
 * Everything one loaded config compiles to: the router and its services. A reload builds a
 * new runtime beside the old one and swaps a single reference, so a request sees one config
 * from start to end.
 */
export class ProxyRuntime {
  readonly config: ProxyConfig;
  readonly router: Router<UpstreamService>;
  readonly services: readonly UpstreamService[];

  /** `previous`: the runtime this one replaces, whose blue/green switches carry over (see UpstreamService.inheritColor). */
  constructor(config: ProxyConfig, registry: MemberRegistry, log: Logger, previous?: ProxyRuntime) {
    this.config = config;
    this.services = config.services.map(
      (service) => new UpstreamService(service, registry, { maxRequestBodyBytes: config.limits.maxRequestBodyBytes }, log),
    );
    if (previous !== undefined) {
      for (const service of this.services) {
        const before = previous.service(service.name);
        if (before !== undefined) service.inheritColor(before);
      }
    }
    this.router = new Router(this.services.map((service) => ({ hosts: service.config.hosts, pathPrefix: service.config.pathPrefix, target: service })));
  }

  /** The service with this name, if configured. */
  service(name: string): UpstreamService | undefined {
    return this.services.find((service) => service.name === name);
  }

  /** Every member this runtime routes to. */
  members(): Set<Member> {
    return new Set(this.services.flatMap((service) => service.members));
  }

  start(): void {
    for (const service of this.services) service.start();
  }

  stop(): void {
    for (const service of this.services) service.stop();
  }
}
