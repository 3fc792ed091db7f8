"""`matcalc serve`: a local web page and JSON API (the optional extra matcalc[web])."""
