// The part of pidusage 4.1 we use (it ships no types).
declare module 'pidusage' {
  interface Status {
    cpu: number;
    memory: number;
    ppid: number;
    pid: number;
    ctime: number;
    elapsed: number;
    timestamp: number;
  }
  interface Options {
    usePs?: boolean;
    maxage?: number;
  }
  function pidusage(pid: number, options?: Options): Promise<Status>;
  namespace pidusage {
    function clear(): void;
  }
  export = pidusage;
}
