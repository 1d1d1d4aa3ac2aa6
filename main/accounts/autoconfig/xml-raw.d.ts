// Vite (electron-vite for the build, vitest for the tests) turns `import text from './file.xml?raw'` into the file's text.
declare module '*.xml?raw' {
  const text: string;
  export default text;
}
