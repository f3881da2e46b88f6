const features = [
  { key: "test-access", what: "opens the Premium screen" },
  { key: "test-access-2", what: "a second feature, to show that a plan can grant several" },
];

export function Access() {
  return (
    <section>
      <h1>Access</h1>
      <p class="lead">
        Stripe Entitlements tie features to what a customer pays for. These are the features Tollgate knows, and
        whether you have them.
      </p>
      <table class="card">
        <thead>
          <tr>
            <th>Feature (lookup key)</th>
            <th>What it does</th>
            <th>You have it</th>
          </tr>
        </thead>
        <tbody>
          {features.map((f) => (
            <tr>
              <td>
                <code>{f.key}</code>
              </td>
              <td>{f.what}</td>
              <td>No</td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="note" role="note">
        You have no Stripe customer yet, so you have no entitlements. Subscribe on <a href="#/plans">Plans</a> once
        billing arrives.
      </p>
    </section>
  );
}
