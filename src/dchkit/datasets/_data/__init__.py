"""Name, place, company and product pools the generator draws from (written for dchkit).

Each locale module holds plain Python literals, most frequent entries first, so that a
Zipf-like weight by rank gives realistic skew (many different 佐藤 and Smith).
"""
