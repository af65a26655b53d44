"""The demo catalogue: a shop that looks alive on first run, made entirely by the project.

render.py draws product photos; specs.py decides the products as plain data; catalogue.py
writes them; shoppers.py simulates people browsing and buying; `manage.py demo_data` runs it all.
"""
