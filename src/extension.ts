// Composition root: activate() only wires components together. Nothing heavy happens here — no model is loaded
// and no process is started until the person dictates — so activating on startup costs a few milliseconds.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as vscode from 'vscode';
import { TranscriptHistory } from './core/history/transcriptHistory';
import { ResourceRegistry } from './node/resources/resourceRegistry';
import { WhisperClient } from './node/whisper/client';
import { addonTarget, findAddonBuilds } from './node/whisper/addonVariant';
import { missingAddonText, showMissingAddonNotice } from './vscode/missingAddonNotice';
import { createDictationPipeline } from './node/dictation/pipeline';
import { Config } from './vscode/config';
import { DictationController } from './vscode/dictationController';
import { registerCommands } from './vscode/commands';
import { Log } from './vscode/log';
import { ModelLocator } from './vscode/modelLocator';
import { DictationStatusBar } from './vscode/statusBar';
import { TextInserter } from './vscode/textInserter';
import { FileTranscriber } from './vscode/fileTranscriber';
import { ModelStore } from './node/model/modelStore';
import { ModelCommands } from './vscode/modelCommands';
import { MemoryCommands } from './vscode/memoryCommands';
import { MemoryIndicator } from './vscode/memoryIndicator';
import { VocabularyCollector } from './vscode/vocabularyCollector';
import { HistoryStore } from './node/history/historyStore';
import { FocusTracker } from './vscode/targets/focusTracker';
import { ClipboardTarget } from './vscode/targets/clipboardTarget';
import { EditorTarget } from './vscode/targets/editorTarget';
import { TerminalTarget } from './vscode/targets/terminalTarget';
import { ScmTarget } from './vscode/targets/scmTarget';
import { NotebookTarget } from './vscode/targets/notebookTarget';
import { ChatTarget } from './vscode/targets/chatTarget';
import { LanguageCommands } from './vscode/languageCommands';
import { EngineFactory } from './vscode/engineFactory';
import { ImproveLastPhrase } from './vscode/improveLastPhrase';
import { PhraseRecovery } from './node/dictation/phraseRecovery';
import { UnfinishedPhrases } from './vscode/unfinishedPhrases';
import { LeakProbe } from './vscode/leakProbe';
import { MicrophoneCommands } from './vscode/microphoneCommands';

/** What the extension exposes to other extensions and to its own integration tests. */
export interface DictationApi {
  readonly controller: DictationController;
  readonly client: WhisperClient;
  readonly registry: ResourceRegistry;
  readonly history: TranscriptHistory;
  readonly models: ModelLocator;
  readonly files: FileTranscriber;
  readonly memory: MemoryCommands;
  readonly store: ModelStore;
  readonly modelCommands: ModelCommands;
  readonly indicator: MemoryIndicator;
  readonly vocabulary: VocabularyCollector;
  readonly inserter: TextInserter;
  readonly historyStore: HistoryStore;
  readonly engines: EngineFactory;
  readonly statusBar: DictationStatusBar;
  readonly improve: ImproveLastPhrase;
  /** The phrases an earlier deactivation cut off, once transcribed into the history (tests and benchmarks wait on it). */
  readonly recovered: Promise<string[]>;
  /** Leak accounting for the leak test and bench:leaks (costs nothing until asked). */
  readonly leaks: LeakProbe;
  /** What the person was told when this copy has no whisper.cpp build for the platform; undefined when it has one. */
  readonly addonMissing?: string;
  readonly microphones: MicrophoneCommands;
}

let registry: ResourceRegistry | undefined;

export function activate(context: vscode.ExtensionContext): DictationApi {
  const tempRoot = join(tmpdir(), `offline-dictation-${process.getuid?.() ?? 'user'}`);
  registry = new ResourceRegistry(tempRoot);
  const resources = registry;
  const log = resources.add(new Log());
  const swept = resources.sweepLeftovers();
  if (swept.length) log.info(`Removed ${swept.length} temporary folder(s) left by an earlier session: ${swept.join(', ')}`);

  const config = resources.add(new Config());
  const models = new ModelLocator(config, context.globalStorageUri.fsPath, log);
  const history = new TranscriptHistory(config.settings.historySize);
  // The history survives reloads: a private file in the extension's global storage, restored in the background.
  const historyStore = new HistoryStore(history, join(context.globalStorageUri.fsPath, 'history.json'), (error) => log.warn(`Dictation history: ${error.message}`));
  const historyLoaded = historyStore.load();
  resources.add({ dispose: () => void historyStore.dispose() });
  // No whisper.cpp build for this platform: activate anyway, say what is missing; local transcription says it again.
  const addonBuilds = findAddonBuilds(context.extensionPath);
  const addonMissing = addonBuilds.length === 0 ? missingAddonText(addonTarget()) : undefined;
  if (addonMissing) showMissingAddonNotice(addonMissing, log);
  let crashReported = false;
  // The indicator is created after the client it observes; worker start/exit events reach it through this.
  let indicatorRef: MemoryIndicator | undefined;
  // One factory for every Whisper worker: dictation's own, and the extra ones of parallel file transcription.
  // `followBudget: false` for a worker beside dictation's (parallel file chunks, Improve Last Phrase): its model does
  // not set the memory budget; its RSS and its model's share are added to the footprint and the budget instead.
  // `other` is that worker's key in the indicator (one per client).
  const createClient = (options: { followBudget?: boolean } = {}, other = options.followBudget === false ? {} : undefined) => new WhisperClient({
    workerScript: context.asAbsolutePath('dist/whisperWorker.js'),
    host: config.settings.workerHost,
    addonCandidates: addonBuilds,
    addonMissingMessage: addonMissing,
    idleUnloadMs: config.settings.idleUnloadSeconds * 1000,
    log,
    onWorkerStarted: (pid, kill, exited) => {
      const tracked = resources.trackProcess('whisper-worker', pid, kill);
      if (other) indicatorRef?.otherWorkerStarted(other, pid);
      indicatorRef?.updateActivity();
      void exited.then(() => {
        tracked.dispose();
        if (other) indicatorRef?.otherWorkerExited(other);
        indicatorRef?.updateActivity();
      });
    },
    onModelLoaded: (modelPath) => void (other ? indicatorRef?.otherWorkerLoaded(other, modelPath) : indicatorRef?.followModel(modelPath)),
    onCrash: (description) => {
      // Said once per window; further crashes go to the log (the client already logs each one).
      if (crashReported) return;
      crashReported = true;
      void vscode.window.showWarningMessage(vscode.l10n.t('Dictation: the Whisper worker stopped ({0}). It restarts for the next phrase and the phrase is retried; VS Code is not affected.', description));
    },
  });
  const client = createClient();
  resources.add({ dispose: () => client.dispose() });

  const statusBar = resources.add(new DictationStatusBar());
  statusBar.setLanguage(models.languageLine());
  const pipeline = createDictationPipeline();
  const focus = resources.add(new FocusTracker());
  const clipboard = new ClipboardTarget((message, ...actions) => vscode.window.showInformationMessage(message, ...actions));
  // Dictation and files get their transcriber here: local, or the team's server after consent.
  const engines = new EngineFactory(config, log, context.secrets, context.globalState);
  const inserter = resources.add(
    new TextInserter(
      history,
      (before, after, pieces) => pipeline.compose(before, after, pieces, config.settings.smartFormatting),
      clipboard,
      focus,
      [new EditorTarget(), new TerminalTarget(), new ScmTarget(), new NotebookTarget(), new ChatTarget()],
    ),
  );
  const vocabulary = resources.add(new VocabularyCollector(config, log));
  resources.add(inserter.onDidChangeTarget((target) => statusBar.setTarget(target)));
  statusBar.setTarget(inserter.status());
  const controller = resources.add(
    new DictationController(config, log, client, models, statusBar, inserter, pipeline, (recorder) => {
      const tracked = resources.trackProcess('recorder', recorder.pid, () => recorder.kill());
      void recorder.whenExited().then(() => tracked.dispose());
    }, () => resources.sessionTempDir(), engines, () => vocabulary.current()),
  );
  controller.preview.showsInEditor = () => inserter.previewsInEditor();
  // Select / Test Microphone; the test's recorder is tracked like dictation's. The tooltip names the microphone.
  const microphones = resources.add(new MicrophoneCommands(config, log, (recorder) => {
    const tracked = resources.trackProcess('recorder', recorder.pid, () => recorder.kill());
    void recorder.whenExited().then(() => tracked.dispose());
  }, () => controller.active));
  const statusDetails = () => ({ model: models.displayName(), device: microphones.deviceLabel() });
  statusBar.setDetails(statusDetails());
  resources.add(microphones.onDidChangeLabel(() => statusBar.setDetails(statusDetails())));
  const files = resources.add(new FileTranscriber(client, () => createClient({ followBudget: false }), models, config, log, join(context.globalStorageUri.fsPath, 'transcripts'), engines));
  // Phrases cut off by a deactivation mid-dictation are saved, and transcribed into the history at the next start.
  const unfinished = new UnfinishedPhrases(new PhraseRecovery(join(context.globalStorageUri.fsPath, 'unfinished-phrases')), client, models, config, history, log);
  unfinished.attach(controller);
  const recovered = historyLoaded.then(() => unfinished.recover(), () => unfinished.recover());
  const store = new ModelStore(models.modelsDir);
  const modelCommands = new ModelCommands(store, config, client, log);
  const memorySources = { workerPid: () => client.pid, otherWorkerPids: () => indicatorRef?.otherWorkers.pids() ?? [], recorderPid: () => controller.recorderPid, bufferBytes: () => controller.bufferedBytes };
  const indicator = resources.add(new MemoryIndicator(memorySources, config, client, controller, log));
  indicatorRef = indicator;
  resources.add(controller.onDidChangeActive(() => indicator.updateActivity()));
  resources.add(controller.onDidChangeActive((active) => {
    if (active) inserter.refresh();
    else inserter.endDictation();
  }));
  resources.add(indicator.onDidChangeTier((decision) => files.applyMemoryDecision(decision)));
  const memory = new MemoryCommands(
    memorySources,
    client,
    resources,
    controller,
    log,
  );

  resources.add(
    config.onDidChange((change) => {
      statusBar.setDetails(statusDetails());
      if (!controller.active) statusBar.setLanguage(models.languageLine());
      if (change.affected('historySize')) history.resize(config.settings.historySize);
      if (change.needsWorkerRestart) log.info('The worker host setting changes at the next reload of the window.');
    }),
  );
  const languages = new LanguageCommands(config, models);
  // The bigger model gets a worker of its own from the same factory, for one phrase at a time (see ImproveLastPhrase).
  const improve = new ImproveLastPhrase({
    recent: controller.recentPhrases,
    models,
    createClient: () => createClient({ followBudget: false }),
    piecesOf: (text) => controller.piecesOf(text),
    compose: (before, after, pieces) => pipeline.compose(before, after, pieces, config.settings.smartFormatting),
    history,
    log,
  });
  for (const disposable of registerCommands({ controller, history, inserter, log, files, models, modelCommands, memory, clipboard, languages, engines, improve })) resources.add(disposable);

  // Deactivation order is the registry's: processes first, then everything else in reverse, then temp files.
  context.subscriptions.push({ dispose: () => disposeRegistry() });
  const leaks = new LeakProbe({ controller, client, inserter, focus, config, indicator, statusBar, vocabulary, files, registry: resources });
  return { controller, client, registry: resources, history, models, files, memory, store, modelCommands, indicator, vocabulary, inserter, historyStore, statusBar, engines, improve, recovered, leaks, addonMissing, microphones };
}

function disposeRegistry(): void {
  const current = registry;
  registry = undefined;
  current?.dispose();
}

export function deactivate(): void {
  disposeRegistry();
}
