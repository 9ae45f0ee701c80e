// Whether a process still exists: tests use it to prove that nothing was left running.
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
