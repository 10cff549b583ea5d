"""Turn truth.json into typed facts (predicates) with truth values and evidence flags.
Each fact: dict(fam, key, pred, val(bool), dec(bool: decided by a layer measured here), params)."""
import math

PLACE = {
 "brandenburg": dict(country="Germany", region=["Brandenburg", "western Brandenburg", "eastern Germany"],
     towns=["north of Brandenburg an der Havel", "roughly 55-60 km west of Berlin", "5 to 15 km north of the town of Brandenburg an der Havel"],
     fcountry=["Poland", "the Czech Republic", "the Netherlands", "Denmark", "Austria"],
     fregion=["Bavaria", "Baden-Württemberg", "Schleswig-Holstein", "the Black Forest", "North Rhine-Westphalia"],
     ftowns=["on the outskirts of Munich", "near Stuttgart", "just south of Dresden", "next to Hamburg harbour", "near Cologne"],
     lowland=True),
}
BEN = {
 "ben-36_85": dict(country="Ireland", region=["County Wexford", "south-east Ireland", "the province of Leinster"],
     towns=["south of New Ross", "in the south-east of Ireland, not far from New Ross"],
     fcountry=["Northern Ireland", "Scotland", "Wales", "England", "France"],
     fregion=["County Donegal", "Connemara", "County Kerry", "the Scottish Highlands", "Cornwall"],
     ftowns=["in central Dublin", "next to Galway city", "near Belfast", "on the edge of Cork city"]),
 "ben-4_55": dict(country="Ireland", region=["County Kilkenny", "south-east Ireland", "Leinster"],
     towns=["west of Kilkenny city", "some 13 km west of Kilkenny"],
     fcountry=["Northern Ireland", "Scotland", "Wales", "England", "Iceland"],
     fregion=["County Donegal", "County Mayo", "County Antrim", "Connemara", "the Dingle peninsula"],
     ftowns=["in central Dublin", "next to Galway city", "near Belfast", "near Sligo town"]),
 "ben-56_35": dict(country="Portugal", region=["central Portugal", "the Santarém district", "the Ribatejo/Médio Tejo area"],
     towns=["south of Abrantes", "about 10 km south of Abrantes, not far from the Tagus"],
     fcountry=["Spain", "Morocco", "France", "Italy"],
     fregion=["the Algarve", "Andalusia", "Galicia", "the Douro valley near Porto", "Madeira"],
     ftowns=["on the edge of Lisbon", "next to Porto", "near Seville", "close to Faro"]),
 "ben-57_38": dict(country="Finland", region=["North Karelia", "eastern Finland", "the Finnish lake district (Karelia)"],
     towns=["east of Joensuu", "roughly 30 km east of Joensuu"],
     fcountry=["Russia", "Sweden", "Norway", "Estonia"],
     fregion=["Lapland", "Uusimaa", "the Åland Islands", "Ostrobothnia", "Swedish Norrland"],
     ftowns=["near Helsinki", "on the outskirts of Turku", "next to Rovaniemi", "close to Saint Petersburg"]),
 "ben-69_24": dict(country="Finland", region=["North Karelia", "eastern Finland", "Karelia on the Finnish side"],
     towns=["north-west of Ilomantsi", "some 25 km north-west of Ilomantsi"],
     fcountry=["Russia", "Sweden", "Norway", "Estonia"],
     fregion=["Lapland", "Uusimaa", "the Åland Islands", "Ostrobothnia", "Swedish Norrland"],
     ftowns=["near Helsinki", "on the outskirts of Turku", "next to Rovaniemi", "close to Saint Petersburg"]),
 "ben-87_48": dict(country="Austria", region=["Upper Austria", "the Hausruckviertel in Upper Austria", "northern Austria"],
     towns=["west of Grieskirchen", "between Ried im Innkreis and Grieskirchen"],
     fcountry=["Germany", "the Czech Republic", "Switzerland", "Hungary", "Slovenia"],
     fregion=["Tyrol", "Styria", "Carinthia", "Bavaria", "Vienna"],
     ftowns=["in the centre of Vienna", "near Innsbruck", "next to Salzburg old town", "near Graz"]),
}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]

def season_info(date):
    y, m, d = map(int, date.split("-"))
    # only unambiguous true seasons (meteorological and astronomical agree)
    true_season = {2: "winter", 9: "autumn"}.get(m)
    if m == 9 and d < 23: true_season = None
    false_seasons = {2: ["summer", "autumn"], 6: ["winter", "autumn"], 9: ["spring", "winter"], 12: ["summer", "spring"]}[m]
    return y, m, d, true_season, false_seasons

def tile_facts(r):
    """returns dict with useful derived numbers for composition"""
    F = {"id": r["tile_id"]}
    if r["stratum"] == "brandenburg":
        F["place"] = PLACE["brandenburg"]
    else:
        F["place"] = BEN[r["tile_id"]]
    F["y"], F["m"], F["d"], F["true_season"], F["false_seasons"] = season_info(r["date"])
    F["lc"] = r.get("lc_evidence", False)
    if F["lc"]:
        L = r["lc_labelled"]; F["L"] = L
        F["lower"] = {k: v for k, v in r["lc_share"].items()}
        F["upper"] = {k: min(1.0, v + (1 - L)) for k, v in r["lc_share"].items()}
    F["water_layer"] = "jrc_water" in r
    return F
