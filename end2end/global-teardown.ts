import { rmSync } from 'node:fs';

/** Removes the data directory the server used, so runs leave nothing behind. */
export default function globalTeardown(): void {
  const dataDir = process.env.BOARDWALK_E2E_DATA_DIR;
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
