/** The Protocol Lab; being written. */
export function Lab(): React.JSX.Element {
  return <section className="lab" aria-label="Protocol Lab" />;
}
