import type { LucideIcon } from 'lucide-react';

/**
 * A Lucide icon drawn beside a control's own words, never instead of them:
 * hidden from screen readers (the text, or the control's label, says what
 * it is) and kept out of the tab order by old Edge/IE's `focusable`. Icons
 * are imported one by one by name where they are used, so the bundle holds
 * only those.
 */
export function Icon({ icon: Glyph, size = 16, className, filled = false }: { icon: LucideIcon; size?: number; className?: string; filled?: boolean }): React.JSX.Element {
  return (
    <Glyph
      size={size}
      strokeWidth={2}
      className={className ? `icon ${className}` : 'icon'}
      fill={filled ? 'currentColor' : 'none'}
      aria-hidden="true"
      focusable="false"
    />
  );
}
