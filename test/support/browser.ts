// Launches Debian's headless Chromium through playwright-core, in a fresh profile, for the
// browser tests. A missing binary is installed from Debian's packages when the tests run as root
// (so `npm test` alone sets up a fresh machine); otherwise it is a failure that names the fix,
// never a skip.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

const INSTALL_HINT = '`apt-get update && apt-get install -y chromium` (or set CHROMIUM_PATH)';

/**
 * Makes sure Debian's chromium is installed (no browser download: the network may reach only
 * Debian's and npm's registries). Installs it with apt-get when it is missing, the default path
 * is in use and the process runs as root; returns why it could not otherwise.
 */
export function ensureChromium(log: (message: string) => void = console.log): string | null {
  if (existsSync(CHROMIUM_PATH)) return null;
  if (process.env.CHROMIUM_PATH) return `Chromium not found at CHROMIUM_PATH=${CHROMIUM_PATH}.`;
  if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
    return `Chromium not found at ${CHROMIUM_PATH}. The browser tests need it: run ${INSTALL_HINT}.`;
  }
  log("Installing Debian's chromium for the browser tests (apt-get, once)...");
  try {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    execFileSync('apt-get', ['update', '-qq'], { stdio: ['ignore', 'ignore', 'pipe'], env });
    execFileSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: ['ignore', 'ignore', 'pipe'], env });
  } catch (err) {
    const stderr = String((err as { stderr?: Buffer }).stderr ?? '').trim();
    return `Installing chromium failed${stderr ? `: ${stderr.split('\n').slice(-3).join(' ')}` : ''}. Run ${INSTALL_HINT}.`;
  }
  return existsSync(CHROMIUM_PATH) ? null : `apt-get installed chromium, but not at ${CHROMIUM_PATH}.`;
}

export async function launchChromium(viewport = { width: 1280, height: 900 }): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium not found at ${CHROMIUM_PATH}. The browser tests need it: run ${INSTALL_HINT}.`);
  }
  const { chromium } = await import('playwright-core');
  const profile = await mkdtemp(join(tmpdir(), 'nhis-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}
