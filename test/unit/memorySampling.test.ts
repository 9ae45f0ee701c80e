import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LOADED_INTERVAL_FACTOR, MemoryMonitor, samplingIntervalMs } from '../../src/node/memory/memoryMonitor';

test('memory is sampled at the set interval while dictating, 5× slower with only the model loaded, never when idle', () => {
  assert.equal(samplingIntervalMs({ dictating: true, modelLoaded: true }, 2), 2000);
  assert.equal(samplingIntervalMs({ dictating: true, modelLoaded: false }, 7), 7000);
  assert.equal(samplingIntervalMs({ dictating: false, modelLoaded: true }, 2), 2000 * LOADED_INTERVAL_FACTOR);
  assert.equal(LOADED_INTERVAL_FACTOR, 5);
  assert.equal(samplingIntervalMs({ dictating: false, modelLoaded: false }, 2), 0);
});

test('the monitor samples on its interval and stops when set to 0', async () => {
  let samples = 0;
  const monitor = new MemoryMonitor({ workerPid: () => undefined, recorderPid: () => undefined, bufferBytes: () => 1024 * 1024 }, () => samples++);
  monitor.setInterval(50);
  assert.equal(monitor.currentIntervalMs, 50);
  await new Promise((r) => setTimeout(r, 400));
  assert.ok(samples >= 3, `sampled ${samples} times`);
  assert.equal(monitor.latest?.bufferMB, 1);
  monitor.setInterval(0);
  const paused = samples;
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(samples, paused, 'no sampling while paused');
  monitor.dispose();
});
