import { useEffect, useId, useRef } from 'react';
import type { ReactNode } from 'react';
import { createPortal } from 'react-dom';

/** The id of a form control, so an error summary can move focus to the first field to fix. */
export function controlId(formId: string, field: string): string {
  return `${formId}-${field.replace(/\W/g, '-')}`;
}

export interface ControlProps {
  id: string;
  'aria-describedby': string | undefined;
  'aria-invalid': true | undefined;
}

/** A visible label, the control, and its hint and error, tied together for assistive technology. */
export function Field({
  id,
  label,
  hint,
  error,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
  children: (props: ControlProps) => ReactNode;
}): React.JSX.Element {
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [hint ? hintId : '', error ? errorId : ''].filter((part) => part !== '').join(' ');
  return (
    <div className="accounts-field">
      <label htmlFor={id}>{label}</label>
      {children({ id, 'aria-describedby': describedBy === '' ? undefined : describedBy, 'aria-invalid': error ? true : undefined })}
      {hint && (
        <p id={hintId} className="accounts-hint">
          {hint}
        </p>
      )}
      {error && (
        <p id={errorId} className="accounts-field-error">
          {error}
        </p>
      )}
    </div>
  );
}

/** One radio button with its label and a sentence saying what choosing it means. */
export function Choice({
  name,
  label,
  description,
  checked,
  disabled,
  onSelect,
  children,
}: {
  name: string;
  label: string;
  description: string;
  checked: boolean;
  disabled?: boolean;
  onSelect: () => void;
  children?: ReactNode;
}): React.JSX.Element {
  const id = useId();
  return (
    <div className="accounts-choice">
      <input type="radio" id={id} name={name} checked={checked} disabled={disabled} onChange={onSelect} aria-describedby={`${id}-description`} />
      <div>
        <label htmlFor={id}>{label}</label>
        <p id={`${id}-description`} className="accounts-hint">
          {description}
        </p>
        {children}
      </div>
    </div>
  );
}

/**
 * A modal <dialog>, shown as soon as it mounts and gone when it unmounts:
 * closing (Escape, or a button that calls onClose) unmounts it, so every
 * opening starts from a fresh state. Portalled to the body so that it does
 * not inherit the styles of the place that opened it.
 */
export function Modal({
  labelledBy,
  describedBy,
  role,
  className,
  onClose,
  children,
}: {
  labelledBy: string;
  describedBy?: string;
  role?: 'alertdialog';
  className?: string;
  onClose: () => void;
  children: ReactNode;
}): React.JSX.Element {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
  }, []);
  return createPortal(
    <dialog ref={ref} role={role} aria-labelledby={labelledBy} aria-describedby={describedBy} className={`dialog ${className ?? ''}`} onClose={onClose}>
      {children}
    </dialog>,
    document.body,
  );
}
