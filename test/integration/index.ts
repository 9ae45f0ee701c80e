// mocha runner (filled in by the harness)
export async function run(): Promise<void> {}
