// A full garbage collection on demand in a process that was not started with --expose-gc (the Whisper worker, the
// extension host in a benchmark, a test): the flag set at runtime, and `gc` taken from a fresh context, where V8
// installs it. Call it without arguments: V8 11's gc() recognises only {type: 'minor'} and {execution: 'async'}, and
// an options object it does not recognise makes it a young-generation collection.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export function fullGarbageCollector(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}
