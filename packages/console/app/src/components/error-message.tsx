/** A failure's message as an alert; nothing without one. */
export function ErrorMessage({ message }: { message: string | undefined }) {
  return message ? (
    <p class="error" role="alert">
      {message}
    </p>
  ) : null;
}
