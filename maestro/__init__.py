"""maestro: the headless incident core. No Textual imports live here."""
