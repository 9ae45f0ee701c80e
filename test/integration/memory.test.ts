// The cleanup command frees what it says: the worker's memory (its process ends) and the temp files.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FreeMemoryReport } from '../../src/vscode/memoryCommands';
import { api, clip, fixtureModel, setSetting, waitFor } from './support';
import { memoryBudgetMB, modelRamMB } from '../../src/core/model/modelMemory';
import { readModelShape } from '../../src/node/model/modelShape';

/** tiny.en's file: 74.1 MiB, encoder width 384. */
const tinyShape = { fileBytes: 77_704_715, nAudioState: 384 };

function procRssMB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

suite('Free memory and delete temporary files', function () {
  this.timeout(120_000);

  test('unloads the model (the worker process and its RSS are gone) and deletes the files it reports', async () => {
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    // A transcription cached by an earlier test would not start the worker at all.
    await dictation.files.clearCache();
    await dictation.files.transcribe(clip('p07_pocketsphinx_goforward').wav);
    const pid = dictation.client.pid!;
    assert.ok(pid, 'the worker runs after a transcription');
    const workerRss = procRssMB(pid);
    assert.ok(workerRss > 50, `the loaded model costs memory (${workerRss.toFixed(0)} MB)`);
    const report = await dictation.memory.showReport();
    // The figure the extension shows matches what the OS reports for the worker (within sampling jitter).
    assert.ok(Math.abs((report.workerRssMB ?? 0) - procRssMB(pid)) < 10, `report ${report.workerRssMB} vs /proc ${procRssMB(pid)}`);

    const temp = join(dictation.registry.sessionTempDir(), 'spill-test.raw');
    writeFileSync(temp, Buffer.alloc(64 * 1024));
    const freed = (await vscode.commands.executeCommand('offlineDictation.freeMemory')) as FreeMemoryReport;
    assert.equal(freed.modelUnloaded, true);
    assert.ok((freed.before.workerRssMB ?? 0) > 50);
    assert.equal(freed.after.workerRssMB, undefined, 'no worker memory left');
    await waitFor(() => !existsSync(`/proc/${pid}`), 5000, 'the worker process to exit');
    assert.ok(freed.filesDeleted >= 1 && freed.bytesDeleted >= 64 * 1024);
    assert.equal(existsSync(temp), false);
    assert.equal(dictation.client.running, false);
  });

  test('the budget follows the model loaded: base, under the name of no catalog model, gets its own', async () => {
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    await dictation.files.clearCache();
    await dictation.files.transcribe(clip('p07_pocketsphinx_goforward').wav);
    await waitFor(() => dictation.indicator.limitMB() === memoryBudgetMB(modelRamMB(tinyShape)), 5000, "tiny.en's budget");
    const tinyBudget = dictation.indicator.limitMB();
    try {
      await setSetting('modelPath', fixtureModel('ggml-base.bin'));
      await dictation.files.transcribe(clip('p16_cmu_arctic_awb_a0007').wav);
      await waitFor(() => dictation.indicator.limitMB() > tinyBudget + 100, 10_000, "base's larger budget");
      assert.equal(dictation.indicator.limitMB(), memoryBudgetMB(modelRamMB(await readModelShape(fixtureModel('ggml-base.bin')))));
      await dictation.indicator.sampleNow();
      assert.equal(dictation.indicator.lastDecision?.tier, 'normal', 'base fits its own budget');
    } finally {
      await setSetting('modelPath', fixtureModel());
    }
  });

  test('the memory indicator shows what the OS reports and, over an artificially low limit, unloads an idle model', async () => {
    const dictation = await api();
    await setSetting('modelPath', fixtureModel());
    // A transcription cached by an earlier test would not start the worker at all.
    await dictation.files.clearCache();
    await dictation.files.transcribe(clip('p07_pocketsphinx_goforward').wav);
    const pid = dictation.client.pid!;
    const sample = await dictation.indicator.sampleNow();
    assert.ok(Math.abs((sample.workerRssMB ?? 0) - procRssMB(pid)) < 10, `indicator ${sample.workerRssMB} MB vs /proc ${procRssMB(pid)} MB`);
    assert.ok(sample.usedMB >= (sample.workerRssMB ?? 0));
    assert.equal(dictation.indicator.lastDecision?.tier, 'normal', 'tiny.en fits its default budget');
    try {
      await setSetting('memoryLimitMB', 64);
      await dictation.indicator.sampleNow();
      assert.equal(dictation.indicator.lastDecision?.tier, 'critical');
      assert.ok(dictation.indicator.lastDecision?.actions.includes('unloadModel'));
      await waitFor(() => !dictation.client.running, 10_000, 'the idle model to be unloaded under critical pressure');
      await waitFor(() => !existsSync(`/proc/${pid}`), 5000, 'the worker process to exit');
    } finally {
      await setSetting('memoryLimitMB', undefined);
    }
  });
});
