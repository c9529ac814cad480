// completedWord is what taking a candidate puts in the line: its text, and a space after it when
// the word is whole, as shells complete (the next word can be typed at once). A key prefix
// (text ending with "/") and a word whose quote the candidate left open (to be typed on inside
// it) get no space; neither does a word already followed by one.
export function completedWord(text: string, after: string): string {
  if (text === '' || text.endsWith('/') || text.endsWith('=') || /^\s/.test(after) || !quoteClosed(text)) {
    return text;
  }
  return `${text} `;
}

function quoteClosed(text: string): boolean {
  if (text.startsWith("$'")) {
    return text.length > 2 && text.endsWith("'") && !text.endsWith("\\'");
  }
  const q = text[0];
  if (q === "'" || q === '"') {
    return text.length > 1 && text.endsWith(q);
  }
  return true;
}
