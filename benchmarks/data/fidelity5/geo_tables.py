"""Hand-written general-geography knowledge (author's own, not from any layer)."""
import math
TOWNS = {
 "Brandenburg an der Havel": (52.4125, 12.5316), "Berlin": (52.52, 13.405), "Potsdam": (52.3906, 13.0645),
 "Rathenow": (52.6050, 12.3360), "Dresden": (51.0504, 13.7373), "Leipzig": (51.3397, 12.3731), "Hamburg": (53.5511, 9.9937),
 "Rostock": (54.0924, 12.0991), "Hanover": (52.3759, 9.7320), "Munich": (48.1351, 11.5820), "Poznan": (52.4064, 16.9252),
 "Kilkenny": (52.6541, -7.2448), "New Ross": (52.3966, -6.9366), "Waterford": (52.2593, -7.1101), "Wexford": (52.3369, -6.4633),
 "Dublin": (53.3498, -6.2603), "Galway": (53.2707, -9.0568), "Belfast": (54.5973, -5.9301), "Sligo": (54.2766, -8.4761), "Cork": (51.8985, -8.4756),
 "Abrantes": (39.4667, -8.1975), "Lisbon": (38.7223, -9.1393), "Porto": (41.1579, -8.6291), "Faro": (37.0194, -7.9304), "Braga": (41.5454, -8.4265), "Badajoz": (38.8794, -6.9707),
 "Joensuu": (62.6010, 29.7636), "Ilomantsi": (62.6710, 30.9300), "Helsinki": (60.1699, 24.9384), "Rovaniemi": (66.5039, 25.7294), "Oulu": (65.0121, 25.4651), "Turku": (60.4518, 22.2666), "Petrozavodsk": (61.7849, 34.3469),
 "Grieskirchen": (48.2350, 13.8310), "Ried im Innkreis": (48.2100, 13.4890), "Wels": (48.1575, 14.0289), "Linz": (48.3069, 14.2858),
 "Vienna": (48.2082, 16.3738), "Graz": (47.0707, 15.4395), "Innsbruck": (47.2692, 11.4041), "Klagenfurt": (46.6247, 14.3053),
}
def km(a, b):
    (la1, lo1), (la2, lo2) = a, b
    p = math.pi/180; d = math.sin((la2-la1)*p/2)**2 + math.cos(la1*p)*math.cos(la2*p)*math.sin((lo2-lo1)*p/2)**2
    return 6371*2*math.asin(math.sqrt(d))

def stratum(tid):
    return {"bb5": "brandenburg", "ben-36_85": "ireland_se", "ben-4_55": "ireland_kk", "ben-56_35": "portugal",
            "ben-57_38": "finland", "ben-69_24": "finland", "ben-87_48": "austria"}[tid if tid.startswith("ben") else "bb5"]
# regions the tile is certainly in / certainly not in (author knowledge)
REGION_TRUE = {
 "brandenburg": ["the state of Brandenburg", "eastern Germany", "the Havel lowlands of Brandenburg", "north-eastern Germany", "central Europe"],
 "ireland_se": ["south-east Ireland", "the Republic of Ireland", "the province of Leinster", "County Wexford"],
 "ireland_kk": ["south-east Ireland", "the Republic of Ireland", "the province of Leinster", "County Kilkenny"],
 "portugal": ["central Portugal", "the Iberian Peninsula", "south-western Europe"],
 "finland": ["eastern Finland", "North Karelia", "the Finnish Lakeland region", "northern Europe"],
 "austria": ["Upper Austria", "northern Austria", "the Alpine foreland of Upper Austria", "central Europe"],
}
REGION_FALSE = {
 "brandenburg": ["Bavaria", "Saxony", "Mecklenburg-Vorpommern", "western Poland", "the Netherlands", "the Ruhr area", "Schleswig-Holstein"],
 "ireland_se": ["Northern Ireland", "Connacht", "County Donegal", "Wales", "Scotland", "County Kerry"],
 "ireland_kk": ["Northern Ireland", "Connacht", "County Donegal", "Wales", "Scotland", "County Kerry"],
 "portugal": ["Galicia in Spain", "the Algarve", "Andalusia", "northern Portugal near Braga", "the Azores", "Extremadura in Spain"],
 "finland": ["Lapland", "Russian Karelia", "southern Sweden", "Estonia", "the Åland Islands", "Finnish Ostrobothnia"],
 "austria": ["Tyrol", "Styria", "Bavaria", "Carinthia", "Switzerland", "the Czech Republic"],
}
COUNTRY_FALSE = {"Germany": ["Poland", "the Netherlands", "Czechia", "Denmark", "Austria"], "Ireland": ["the United Kingdom", "France", "Scotland"],
                 "Portugal": ["Spain", "Morocco", "France"], "Finland": ["Russia", "Sweden", "Estonia", "Norway"], "Austria": ["Germany", "Switzerland", "Czechia", "Hungary"]}
# elevation range [m], max slope [deg], max canopy height [m], flat? -- general knowledge, no DEM or canopy layer on any tile
GEO = {"brandenburg": dict(elev=(25, 90), slope=10, canopy=40, flat=True),
       "ireland_se": dict(elev=(0, 250), slope=20, canopy=40, flat=False),
       "ireland_kk": dict(elev=(30, 300), slope=20, canopy=40, flat=False),
       "portugal": dict(elev=(20, 300), slope=25, canopy=40, flat=False),
       "finland": dict(elev=(70, 260), slope=20, canopy=35, flat=False),
       "austria": dict(elev=(280, 700), slope=25, canopy=45, flat=False)}
# seasons: (certainly true, ambiguous -> never used as false)
def seasons(month, day):
    if month in (12, 1, 2): tr = {"winter"}; amb = {"autumn"} if month == 12 and day < 22 else ({"spring"} if month == 2 else set())
    elif month in (6, 7, 8): tr = {"summer"}; amb = {"spring"} if month == 6 and day < 21 else ({"autumn"} if month == 8 else set())
    elif month in (9, 10, 11): tr = {"autumn"}; amb = {"summer"} if month == 9 else ({"winter"} if month == 11 else set())
    else: tr = {"spring"}; amb = {"winter"} if month == 3 else ({"summer"} if month == 5 else set())
    if month == 12 and day >= 21: amb = {"autumn"}
    return tr, amb
