import { Link } from 'wouter';
import { AppSwitcher } from './app-switcher.js';
import { OperatorMenu } from './operator-menu.js';

interface HeaderProps {
  menuOpen: boolean;
  onMenu: () => void;
}

export function Header({ menuOpen, onMenu }: HeaderProps) {
  return (
    <header className="header">
      <button
        type="button"
        className="menu-button"
        aria-expanded={menuOpen}
        aria-controls="navigation"
        onClick={onMenu}
      >
        Menu
      </button>
      <Link href="/" className="brand">
        Latchkey
      </Link>
      <AppSwitcher />
      <OperatorMenu />
    </header>
  );
}
