// Runs first in `npm test`: says in one line each what this machine lacks for the test run, before
// a build and minutes of tests end in failures that do not name the cause. Plain JavaScript so it
// runs before anything is built.
const { accessSync, constants } = require('node:fs');
const { delimiter, join } = require('node:path');

function onPath(command) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return join(dir, command);
    } catch {
      /* not in this directory */
    }
  }
  return null;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const missing = [];
if (!process.env.REDIS_URL && !onPath('redis-server')) {
  missing.push('npm test needs a Redis: install redis-server (Debian/Ubuntu: sudo apt-get install -y redis-server) or set REDIS_URL');
}
// The web view's browser tests drive Chromium through playwright-core (apps/web/src/web.e2e-spec.ts).
const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
if (!executable(chromium)) {
  const found = onPath('chromium') ?? onPath('chromium-browser') ?? onPath('google-chrome');
  missing.push(
    found
      ? `npm test needs Chromium at ${chromium} for the web view's browser tests: set CHROMIUM_PATH=${found}`
      : `npm test needs Chromium for the web view's browser tests: install it (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH`,
  );
}
if (missing.length) {
  for (const line of missing) process.stderr.write(`${line}\n`);
  process.exit(1);
}
