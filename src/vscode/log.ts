// One LogOutputChannel for the whole extension ("Dictation"); every component logs through this.
import * as vscode from 'vscode';

export class Log implements vscode.Disposable {
  private readonly channel: vscode.LogOutputChannel;
  /** Processes can exit after deactivation; their last words must not throw into a closed channel. */
  private disposed = false;

  constructor(name = 'Dictation') {
    this.channel = vscode.window.createOutputChannel(name, { log: true });
  }

  trace(message: string): void {
    if (!this.disposed) this.channel.trace(message);
  }
  debug(message: string): void {
    if (!this.disposed) this.channel.debug(message);
  }
  info(message: string): void {
    if (!this.disposed) this.channel.info(message);
  }
  warn(message: string): void {
    if (!this.disposed) this.channel.warn(message);
  }
  error(message: string | Error): void {
    if (!this.disposed) this.channel.error(message);
  }
  show(): void {
    if (!this.disposed) this.channel.show(true);
  }
  dispose(): void {
    this.disposed = true;
    this.channel.dispose();
  }
}
