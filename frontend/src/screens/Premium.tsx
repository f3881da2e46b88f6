export function Premium() {
  return (
    <section>
      <h1>Premium</h1>
      <div class="card locked">
        <h2>Locked</h2>
        <p>
          Premium needs the <code>test-access</code> entitlement, which a Monthly or Yearly subscription grants. You
          don't have it.
        </p>
        <a class="button primary" href="#/plans">
          See the plans
        </a>
      </div>
    </section>
  );
}
