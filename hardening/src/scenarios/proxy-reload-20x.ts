import { sleep, QUIET_AVAILABILITY_SLO, type Scenario } from '../matrix/scenario.ts';

const RELOADS = 20;

/**
 * The proxy's config file is rewritten and SIGHUP sent 20 times under load, each time with a
 * real change (the members' weights alternate), so every reload swaps the runtime.
 */
export const proxyReload20x: Scenario = {
  name: 'proxy-reload-20x',
  title: `proxy reloaded ${RELOADS} times (SIGHUP, weights changing)`,
  members: [[], [], []],
  slo: QUIET_AVAILABILITY_SLO,
  expectedNotifications: [],
  recoveryMeaning: 'last client error after the first reload (0: none)',
  async inject({ stack, faultPhaseMs, log }) {
    const every = Math.max(250, Math.floor(faultPhaseMs / RELOADS));
    const countReloads = (): number => stack.proxy.logs.filter((line) => line.msg === 'reloading config').length;
    const before = countReloads();
    for (let i = 0; i < RELOADS; i++) {
      const config = stack.proxyConfig() as { services: { upstreams: { url: string; weight?: number }[] }[] };
      const services = config.services.map((service) => ({ ...service, upstreams: service.upstreams.map((upstream, index) => ({ url: upstream.url, weight: 1 + ((i + index) % 3) })) }));
      stack.proxy.reload({ ...config, services });
      await sleep(every);
    }
    await sleep(1_000);
    const reloads = countReloads() - before;
    const rejected = stack.proxy.logs.filter((line) => typeof line.msg === 'string' && line.msg.startsWith('config reload rejected')).length;
    log(`${reloads} reloads logged, ${rejected} rejected`);
    return { notes: [`${reloads} reloads logged by the proxy, one every ${every} ms; ${rejected} rejected`] };
  },
};
