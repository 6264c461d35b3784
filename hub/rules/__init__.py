"""Recognise and route: categories, classification rules, routes."""
