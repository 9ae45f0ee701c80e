// The languages Whisper knows (whisper.cpp's g_lang table, in its order: roughly by the amount of training data),
// and the rules that tie a language setting to a model: English-only (`.en`) models transcribe English only.

/** ISO 639-1 code (Cantonese: `yue`, Hawaiian: `haw`) → English name. */
export const WHISPER_LANGUAGES: ReadonlyMap<string, string> = new Map([
  ['en', 'English'], ['zh', 'Chinese'], ['de', 'German'], ['es', 'Spanish'], ['ru', 'Russian'], ['ko', 'Korean'],
  ['fr', 'French'], ['ja', 'Japanese'], ['pt', 'Portuguese'], ['tr', 'Turkish'], ['pl', 'Polish'], ['ca', 'Catalan'],
  ['nl', 'Dutch'], ['ar', 'Arabic'], ['sv', 'Swedish'], ['it', 'Italian'], ['id', 'Indonesian'], ['hi', 'Hindi'],
  ['fi', 'Finnish'], ['vi', 'Vietnamese'], ['he', 'Hebrew'], ['uk', 'Ukrainian'], ['el', 'Greek'], ['ms', 'Malay'],
  ['cs', 'Czech'], ['ro', 'Romanian'], ['da', 'Danish'], ['hu', 'Hungarian'], ['ta', 'Tamil'], ['no', 'Norwegian'],
  ['th', 'Thai'], ['ur', 'Urdu'], ['hr', 'Croatian'], ['bg', 'Bulgarian'], ['lt', 'Lithuanian'], ['la', 'Latin'],
  ['mi', 'Maori'], ['ml', 'Malayalam'], ['cy', 'Welsh'], ['sk', 'Slovak'], ['te', 'Telugu'], ['fa', 'Persian'],
  ['lv', 'Latvian'], ['bn', 'Bengali'], ['sr', 'Serbian'], ['az', 'Azerbaijani'], ['sl', 'Slovenian'],
  ['kn', 'Kannada'], ['et', 'Estonian'], ['mk', 'Macedonian'], ['br', 'Breton'], ['eu', 'Basque'],
  ['is', 'Icelandic'], ['hy', 'Armenian'], ['ne', 'Nepali'], ['mn', 'Mongolian'], ['bs', 'Bosnian'],
  ['kk', 'Kazakh'], ['sq', 'Albanian'], ['sw', 'Swahili'], ['gl', 'Galician'], ['mr', 'Marathi'], ['pa', 'Punjabi'],
  ['si', 'Sinhala'], ['km', 'Khmer'], ['sn', 'Shona'], ['yo', 'Yoruba'], ['so', 'Somali'], ['af', 'Afrikaans'],
  ['oc', 'Occitan'], ['ka', 'Georgian'], ['be', 'Belarusian'], ['tg', 'Tajik'], ['sd', 'Sindhi'], ['gu', 'Gujarati'],
  ['am', 'Amharic'], ['yi', 'Yiddish'], ['lo', 'Lao'], ['uz', 'Uzbek'], ['fo', 'Faroese'], ['ht', 'Haitian Creole'],
  ['ps', 'Pashto'], ['tk', 'Turkmen'], ['nn', 'Nynorsk'], ['mt', 'Maltese'], ['sa', 'Sanskrit'],
  ['lb', 'Luxembourgish'], ['my', 'Myanmar'], ['bo', 'Tibetan'], ['tl', 'Tagalog'], ['mg', 'Malagasy'],
  ['as', 'Assamese'], ['tt', 'Tatar'], ['haw', 'Hawaiian'], ['ln', 'Lingala'], ['ha', 'Hausa'], ['ba', 'Bashkir'],
  ['jw', 'Javanese'], ['su', 'Sundanese'], ['yue', 'Cantonese'],
]);

/** The language setting's value that lets Whisper detect the language. */
export const AUTO_LANGUAGE = 'auto';

/** 'Spanish (es)', or the code itself for one Whisper does not know. */
export function languageLabel(code: string): string {
  if (code === AUTO_LANGUAGE) return 'Detect automatically';
  const name = WHISPER_LANGUAGES.get(code);
  return name ? `${name} (${code})` : code;
}

/** True for a code Whisper knows, or `auto`. */
export function isKnownLanguage(code: string): boolean {
  return code === AUTO_LANGUAGE || WHISPER_LANGUAGES.has(code);
}

/** English-only models are named `*.en` (`ggml-tiny.en.bin`, `ggml-base.en-q5_1.bin`, `tiny.en`). */
export function isEnglishOnlyModel(nameOrFile: string): boolean {
  const name = nameOrFile.replace(/^.*[\\/]/, '');
  return /\.en([-.]|$)/.test(name.replace(/\.bin$/, ''));
}

/**
 * What an English-only model is told: always `en`. A language setting other than `en` (or `auto`) cannot be honoured
 * by such a model; `mismatch` says so, for the message that offers a multilingual model.
 */
export function effectiveLanguage(model: string, setting: string): { language: string; mismatch: boolean } {
  if (!isEnglishOnlyModel(model)) return { language: setting || 'en', mismatch: false };
  return { language: 'en', mismatch: setting !== 'en' && setting !== AUTO_LANGUAGE && setting !== '' };
}

/** The multilingual model of the same size as an English-only one: `base.en` → `base`, `tiny.en-q8_0` → `tiny-q8_0`. */
export function multilingualCounterpart(model: string): string {
  return model.replace(/\.en(?=-|$)/, '');
}

/** The status bar's language line: what dictation transcribes now and why. */
export function languageStatus(state: { setting: string; detected?: string; englishOnlyModel: boolean; translate: boolean }): string {
  let line: string;
  if (state.englishOnlyModel) line = 'English (en), English-only model';
  else if (state.setting === AUTO_LANGUAGE) line = state.detected ? `${languageLabel(state.detected)}, detected` : 'detected from the first phrase';
  else line = languageLabel(state.setting);
  return state.translate && !state.englishOnlyModel ? `${line}, translated to English` : line;
}

export interface LanguageChoice {
  code: string;
  label: string;
  description: string;
  detail?: string;
  picked?: boolean;
}

/** The Select Language picker's entries: Detect automatically, then every language by name; the current one picked. */
export function languageChoices(current: string): LanguageChoice[] {
  const byName = [...WHISPER_LANGUAGES].sort(([, a], [, b]) => a.localeCompare(b));
  const items: LanguageChoice[] = [{ code: AUTO_LANGUAGE, label: 'Detect automatically', description: AUTO_LANGUAGE, detail: 'From the first phrase of each dictation, then kept for the rest of it' }];
  for (const [code, name] of byName) items.push({ code, label: name, description: code });
  for (const item of items) if (item.code === current) item.picked = true;
  return items;
}
