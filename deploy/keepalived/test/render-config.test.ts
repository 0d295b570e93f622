import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const KEEPALIVED_DIR = resolve(import.meta.dirname, '..');
const RENDER = join(KEEPALIVED_DIR, 'render-keepalived-conf.sh');
const dir = mkdtempSync(join(tmpdir(), 'lookout-keepalived-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function render(settings: string): { status: number | null; stdout: string; stderr: string } {
  const file = join(dir, `settings-${Math.random().toString(36).slice(2)}.env`);
  writeFileSync(file, settings);
  const result = spawnSync(RENDER, [file], { encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const primary = readFileSync(join(KEEPALIVED_DIR, 'primary.env'), 'utf8');
const configTestMissing = !existsSync('/usr/sbin/keepalived') ? 'keepalived is not installed at /usr/sbin/keepalived' : process.getuid?.() !== 0 ? 'keepalived --config-test needs root' : undefined;

describe('render-keepalived-conf.sh', () => {
  it('renders the primary and backup examples as mirror images with the primary preferred', () => {
    const a = render(primary);
    const b = render(readFileSync(join(KEEPALIVED_DIR, 'backup.env'), 'utf8'));
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    expect(a.stdout).not.toContain('${');
    expect(a.stdout).toMatch(/priority 150\n/);
    expect(b.stdout).toMatch(/priority 100\n/);
    expect(a.stdout).toMatch(/preempt_delay 60\n/);
    expect(b.stdout).toMatch(/preempt_delay 0\n/);
    expect(a.stdout).toMatch(/unicast_src_ip 10\.0\.0\.11\n\s+unicast_peer \{\n\s+10\.0\.0\.12\n/);
    expect(b.stdout).toMatch(/unicast_src_ip 10\.0\.0\.12\n\s+unicast_peer \{\n\s+10\.0\.0\.11\n/);
    for (const out of [a.stdout, b.stdout]) {
      expect(out).toContain('10.0.0.100/24 dev eth0');
      expect(out).toContain('script "/etc/keepalived/check-proxy.sh http://127.0.0.1:8080/health"');
      expect(out).toContain('notify "/etc/keepalived/notify.sh /var/log/lookout-keepalived/transitions.log"');
    }
  });

  it.each([
    ['VIP=10.0.0.300', 'VIP: expected an IPv4 address such as 10.0.0.10, got "10.0.0.300"'],
    ['VRID=0', 'VRID: expected 1-255'],
    ['PRIORITY=255', 'PRIORITY: expected 1-254'],
    ['PEER_IP=10.0.0.11', 'SELF_IP and PEER_IP are both 10.0.0.11'],
    ['PREEMPT_DELAY=soon', 'PREEMPT_DELAY: expected 0-1000 seconds, got "soon"'],
    ['HEALTH_URL="http://x/ health"', 'HEALTH_URL must not contain spaces'],
    ['INTERFACE=', 'INTERFACE is not set'],
  ])('rejects %s with a message naming the setting, and prints no config', (override, message) => {
    const result = render(`${primary}\n${override}\n`);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain(message);
    expect(result.stdout).toBe('');
  });

  it.skipIf(configTestMissing !== undefined && process.env.CI !== 'true')('renders a config that keepalived --config-test accepts', () => {
    if (configTestMissing !== undefined) throw new Error(configTestMissing);
    // Run the scripts as root from the repository (keepalived_script may not exist here).
    const result = render(`${primary}\nSCRIPT_USER=root\nSCRIPT_DIR=${KEEPALIVED_DIR}\n`);
    expect(result.status).toBe(0);
    const conf = join(dir, 'keepalived.conf');
    writeFileSync(conf, result.stdout);
    const test = spawnSync('/usr/sbin/keepalived', ['--config-test', '-f', conf], { encoding: 'utf8' });
    expect(test.stderr).toBe('');
    expect(test.status).toBe(0);
  });
});
