/** Bytes the reader turns into something to show or to save. */

/** Base64 of any length (btoa takes a string; one built in chunks stays within the argument limit). */
export function base64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** A data: URI for a picture from the message itself, or undefined when its declared type is not a plain picture type. */
export function pictureDataUri(contentType: string, content: Uint8Array): string | undefined {
  const type = contentType.trim().toLowerCase();
  if (!/^image\/[a-z0-9.+-]{1,60}$/.test(type)) return undefined;
  return `data:${type};base64,${base64(content)}`;
}

/**
 * A message's source as text: UTF-8 when it is valid UTF-8 (which includes
 * every 7-bit message), else windows-1252, which gives every byte a character.
 */
export function sourceText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Hands bytes to the browser's own download, under this name (the browser host's way of saving a file). */
export function downloadBytes(filename: string, content: Uint8Array): void {
  // octet-stream: the browser saves it and never opens or renders it.
  const url = URL.createObjectURL(new Blob([content.slice()], { type: 'application/octet-stream' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by now; the URL is only needed for the click.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
