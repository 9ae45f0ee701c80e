// Whisper worker entry (filled in by the worker host).
export {};
