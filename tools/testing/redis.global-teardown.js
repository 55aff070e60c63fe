module.exports = async function globalTeardown() {
  const started = globalThis.__KTRDR_TEST_REDIS__;
  if (started) await started.stop();
};
