// Composition root: activate() only wires components together. Nothing heavy happens here — no model is loaded
// and no process is started until the person dictates — so activating on startup costs a few milliseconds.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import * as vscode from 'vscode';
import { TranscriptHistory } from './core/history/transcriptHistory';
import { ResourceRegistry } from './node/resources/resourceRegistry';
import { WhisperClient } from './node/whisper/client';
import { addonCandidates } from './node/whisper/addonVariant';
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
  void historyStore.load();
  resources.add({ dispose: () => void historyStore.dispose() });
  let crashReported = false;
  // The indicator is created after the client it observes; worker start/exit events reach it through this.
  let indicatorRef: MemoryIndicator | undefined;
  // One factory for every Whisper worker: dictation's own, and the extra ones of parallel file transcription.
  const createClient = () => new WhisperClient({
    workerScript: context.asAbsolutePath('dist/whisperWorker.js'),
    host: config.settings.workerHost,
    addonCandidates: addonCandidates(context.extensionPath),
    idleUnloadMs: config.settings.idleUnloadSeconds * 1000,
    log,
    onWorkerStarted: (pid, kill, exited) => {
      const tracked = resources.trackProcess('whisper-worker', pid, kill);
      indicatorRef?.updateActivity();
      void exited.then(() => {
        tracked.dispose();
        indicatorRef?.updateActivity();
      });
    },
    onModelLoaded: (modelPath) => void indicatorRef?.followModel(modelPath),
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
  statusBar.setDetails({ model: models.displayName(), device: config.settings.recorderDevice });
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
  const files = resources.add(new FileTranscriber(client, createClient, models, config, log, join(context.globalStorageUri.fsPath, 'transcripts'), engines));
  const store = new ModelStore(models.modelsDir);
  const modelCommands = new ModelCommands(store, config, client, log);
  const memorySources = { workerPid: () => client.pid, recorderPid: () => controller.recorderPid, bufferBytes: () => controller.bufferedBytes };
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
      statusBar.setDetails({ model: models.displayName(), device: config.settings.recorderDevice });
      if (!controller.active) statusBar.setLanguage(models.languageLine());
      if (change.affected('historySize')) history.resize(config.settings.historySize);
      if (change.needsWorkerRestart) log.info('The worker host setting changes at the next reload of the window.');
    }),
  );
  const languages = new LanguageCommands(config, models);
  for (const disposable of registerCommands({ controller, history, inserter, log, files, models, modelCommands, memory, clipboard, languages, engines })) resources.add(disposable);

  // Deactivation order is the registry's: processes first, then everything else in reverse, then temp files.
  context.subscriptions.push({ dispose: () => disposeRegistry() });
  return { controller, client, registry: resources, history, models, files, memory, store, modelCommands, indicator, vocabulary, inserter, historyStore, statusBar, engines };
}

function disposeRegistry(): void {
  const current = registry;
  registry = undefined;
  current?.dispose();
}

export function deactivate(): void {
  disposeRegistry();
}
