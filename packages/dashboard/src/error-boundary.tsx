import { Component, type ReactNode } from 'react';

/**
 * A fault in a screen shows a message and a way back instead of a blank page. What went wrong is in the browser's
 * console, where React reports it.
 */
export class ErrorBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };

  static getDerivedStateFromError(): { failed: boolean } {
    return { failed: true };
  }

  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <main className="sign-in">
        <div className="sign-in-card">
          <h1>Something went wrong</h1>
          <p>The dashboard hit an error it did not expect. Reloading the page usually helps.</p>
          <button type="button" className="primary" onClick={() => window.location.reload()}>
            Reload
          </button>
        </div>
      </main>
    );
  }
}
