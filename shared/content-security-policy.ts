/**
 * The page's Content-Security-Policy, one string for every way the page is
 * loaded: the build writes it into index.html, the Electron shell adds it as
 * a header, and the loopback web host sends it with every response.
 * Scripts and styles come only from the app itself; nothing is fetched from
 * the network (remote images in mail are loaded by the main process, and only
 * after the user allows it).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
