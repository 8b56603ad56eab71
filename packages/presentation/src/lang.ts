// Languages: Chinese first, English second. A pair is a tuple, so no string can exist in one
// language only.

export type Lang = 'zh' | 'en';
export type Pair = readonly [zh: string, en: string];

export function pick(pair: Pair, lang: Lang): string {
  return lang === 'zh' ? pair[0] : pair[1];
}

/** The HTML `lang` attribute of a language. */
export function htmlLang(lang: Lang): string {
  return lang === 'zh' ? 'zh-CN' : 'en';
}

/** Strings of one language, by key, with `{name}` placeholders and the language's punctuation. */
export interface Words<K extends string = string> {
  readonly lang: Lang;
  /** A string, with `{name}` placeholders filled in. */
  t(key: K, vars?: Readonly<Record<string, string | number>>): string;
  /** A string by a key built at run time, when it exists. */
  lookup(key: string): string | undefined;
  /** Punctuation of the language: ：/: , 、/, , （）/() and ，/, */
  readonly colon: string;
  readonly sep: string;
  readonly open: string;
  readonly close: string;
  readonly comma: string;
}

/** The strings of a table of pairs in one language. */
export function wordsOf<K extends string>(table: Readonly<Record<K, Pair>>, lang: Lang): Words<K> {
  const pairs = table as Readonly<Record<string, Pair>>;
  return {
    lang,
    t(key, vars) {
      const text = pick(pairs[key]!, lang);
      if (!vars) return text;
      return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
        name in vars ? String(vars[name]) : whole,
      );
    },
    lookup(key) {
      const pair = Object.hasOwn(pairs, key) ? pairs[key] : undefined;
      return pair ? pick(pair, lang) : undefined;
    },
    colon: lang === 'zh' ? '：' : ': ',
    sep: lang === 'zh' ? '、' : ', ',
    open: lang === 'zh' ? '（' : ' (',
    close: lang === 'zh' ? '）' : ')',
    comma: lang === 'zh' ? '，' : ', ',
  };
}

/** The label of a value in a group of labels, when the group has one. */
export function labelOf(
  group: Readonly<Record<string, Pair>>,
  value: string,
  lang: Lang,
): string | undefined {
  return Object.hasOwn(group, value) ? pick(group[value]!, lang) : undefined;
}
