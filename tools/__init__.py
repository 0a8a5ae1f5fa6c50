"""The book's command-line tooling (see book.py); run as scripts, imported by the tests."""
