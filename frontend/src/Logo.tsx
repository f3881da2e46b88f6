/** A tollgate: two posts and a barrier, drawn so no font is needed. */
export function Logo() {
  return (
    <svg class="logo" viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
      <rect x="3" y="4" width="3" height="17" rx="1" fill="currentColor" />
      <rect x="18" y="4" width="3" height="17" rx="1" fill="currentColor" />
      <rect x="2" y="8" width="20" height="3" rx="1.5" fill="#f5b700" />
    </svg>
  );
}
