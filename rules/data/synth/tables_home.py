"""Catalog tables: kitchen, furniture, bedding, decor, floor care. Notation: see `tables_fashion.py`."""

HOME_COLOURS = "black, white, cream, red, sage, blue, navy, stainless steel, grey"

SPECS = [
    dict(key="kitchen_appliances", name="Kitchen Appliances", dept="Home & Kitchen",
         cores="blender, food processor, stand mixer, air fryer, electric kettle, toaster, slow cooker",
         brands="Vitamix*x2.5 (blender); KitchenAid* (stand mixer, blender, toaster, food processor, electric "
                "kettle); Breville* (toaster, electric kettle, blender); Ninja (blender, air fryer, food processor); "
                "Cuisinart (food processor, toaster, electric kettle, blender); Cosori (air fryer, electric kettle); "
                "Instant (air fryer, slow cooker); Crock-Pot (slow cooker); Hamilton Beach. ; Amazon Basics. "
                "(electric kettle, toaster, slow cooker)",
         models="Vitamix: 5200 = blender {power: 1500 W} | A3500 = blender {power: 1500 W}; KitchenAid: Artisan 5-Qt "
                "= stand mixer | Classic 4.5-Qt = stand mixer; Ninja: Professional BL610 = blender {power: 1200 W} | "
                "AF101 = air fryer {capacity: 4 qt} | Foodi DZ201 = air fryer {capacity: 8 qt}; Cosori: Pro LE = air "
                "fryer {capacity: 6 qt}; Cuisinart: Custom 14-Cup = food processor; Breville: Smart Toast = toaster",
         attrs=f"colour: {HOME_COLOURS}; power~@blender: 500 W, 900 W, 1200 W, 1500 W; capacity~@air fryer: 2 qt, "
               "4 qt, 6 qt, 8 qt; capacity~@slow cooker: 4 qt, 6 qt, 8 qt; material@electric kettle: stainless "
               "steel, glass, plastic, BPA-free plastic",
         price="35-110; stand mixer: 220-380", adjacent="cookware, coffee_makers", negate="material: plastic",
         needs=[("qa", "what blender can crush ice for smoothies | blender strong enough for frozen fruit",
                 "a blender", "blender", "crushing ice takes a motor of about 1200 W or more",
                 [("power", "1200 W or more", "1200 W, 1500 W", "900 W")]),
                ("knowledge", "air fryer for a family of five | air fryer big enough for a whole chicken",
                 "an air fryer", "air fryer", "a family of five or a whole chicken needs 6 qt or more",
                 [("capacity", "6 qt or more", "6 qt, 8 qt", "4 qt")])]),
    dict(key="cookware", name="Cookware", dept="Home & Kitchen",
         cores="frying pan, saucepan, Dutch oven, stovetop kettle, cookware set",
         brands="Le Creuset*x2.5 {material: enameled cast iron, material: enameled steel} (Dutch oven, saucepan, "
                "stovetop kettle, frying pan); Staub* {material: enameled cast iron} (Dutch oven, frying pan); "
                "All-Clad* {material: stainless steel} (frying pan, saucepan, cookware set); HexClad* {material: "
                "stainless steel} (frying pan, cookware set); Caraway {material: ceramic nonstick} (cookware set, "
                "frying pan, saucepan, Dutch oven); Calphalon; T-fal. {material: nonstick aluminium} (frying pan, "
                "cookware set, saucepan); Lodge. {material: cast iron} (Dutch oven, frying pan)",
         models="Le Creuset: Signature Round = Dutch oven {material: enameled cast iron}; Lodge: Classic Skillet = "
                "frying pan {material: cast iron}; HexClad: Hybrid = frying pan {material: stainless steel}; "
                "All-Clad: D3 = frying pan {material: stainless steel}; Caraway: Ceramic = cookware set {material: "
                "ceramic nonstick}",
         attrs="colour: black, red, cream, sage, blue, stainless steel, grey; material@Dutch oven: cast iron, "
               "enameled cast iron, ceramic nonstick; material@stovetop kettle: stainless steel, enameled steel; "
               "material: cast iron, enameled cast iron, stainless steel, carbon steel, nonstick aluminium, ceramic "
               "nonstick; size~@frying pan: 8 inch, 10 inch, 12 inch; capacity~@Dutch oven: 3.5 qt, 5.5 qt, 7.25 qt",
         price="30-90; Dutch oven: 60-150; cookware set: 120-300", adjacent="kitchen_appliances", negate="material: "
                                                                                                         "nonstick",
         needs=[("qa", "which pans work on an induction hob | frying pan for induction cooktop", "a pan",
                 "frying pan, saucepan, cookware set",
                 "induction needs a magnetic base: cast iron, stainless or carbon "
                 "steel; plain aluminium does not work", [("material", "an induction-ready (magnetic) metal",
                                                             "cast iron, stainless steel, carbon steel", "")])]),
    dict(key="coffee_makers", name="Coffee Makers", dept="Home & Kitchen",
         cores="espresso machine, drip coffee maker, pod coffee machine, French press, coffee grinder",
         generic="coffee maker",
         brands="Breville* (espresso machine, coffee grinder, drip coffee maker); Moccamaster*x2 (drip coffee maker); "
                "De'Longhi (espresso machine); Nespresso (pod coffee machine); Keurig (pod coffee machine); Baratza "
                "(coffee grinder); Cuisinart (drip coffee maker, coffee grinder); Mr. Coffee. (drip coffee maker, "
                "espresso machine); Bodum. (French press, coffee grinder)",
         models="Breville: Barista Express = espresso machine | Bambino Plus = espresso machine; De'Longhi: Dedica = "
                "espresso machine; Nespresso: Vertuo Next = pod coffee machine; Keurig: K-Elite = pod coffee machine; "
                "Bodum: Chambord = French press; Baratza: Encore = coffee grinder; Moccamaster: KBGV Select = drip "
                "coffee maker {capacity: 10 cups}",
         attrs=f"colour: {HOME_COLOURS}; capacity~@drip coffee maker: 5 cups, 10 cups, 12 cups, 14 cups",
         price="60-180; espresso machine: 250-600; French press: 20-45",
         adjacent="kitchen_appliances, drinkware@espresso machine/drip coffee maker/pod coffee machine/French press",
         needs=[("qa", "what coffee maker makes real espresso | machine for making lattes at home", "a coffee maker",
                 "espresso machine", "real espresso needs a pump espresso machine", []),
                ("knowledge", "coffee maker for an office of 15 people | coffee maker for a big family", "a coffee "
                 "maker", "drip coffee maker", "a crowd needs a large drip maker of 12 cups or more",
                 [("capacity", "12 cups or more", "12 cups, 14 cups", "10 cups")])]),
    dict(key="drinkware", name="Drinkware", dept="Home & Kitchen",
         cores="tumbler, water bottle, travel mug, coffee mug",
         brands="Stanley* {material: insulated stainless steel} (tumbler, water bottle, travel mug); YETI* {material: "
                "insulated stainless steel} (tumbler, water bottle, travel mug); Hydro Flask {material: insulated "
                "stainless steel} (water bottle, tumbler); Owala {material: insulated stainless steel} (water bottle, "
                "tumbler); Le Creuset* {material: ceramic} (coffee mug); Zojirushi (travel mug); Contigo. "
                "(travel mug, water bottle, coffee mug); Simple Modern. (tumbler, water bottle)",
         models="Stanley: Quencher H2.0 = tumbler {material: insulated stainless steel} | IceFlow = water bottle; "
                "YETI: Rambler = tumbler {material: insulated stainless steel, capacity: 20 oz}; Owala: FreeSip "
                "= water bottle; Hydro Flask: Wide Mouth = water bottle {material: insulated stainless steel}",
         attrs="colour: black, white, pink, rose, blue, navy, sage, lavender, cream; capacity~@coffee mug: 10 oz, "
               "12 oz, 16 oz; capacity~: 12 oz, 20 oz, 24 oz, 32 oz, 40 oz; material@coffee mug: ceramic, glass; "
               "material@travel mug: insulated stainless steel, plastic; material: insulated stainless steel, "
               "single-wall stainless steel, BPA-free plastic, glass",
         price="15-35", adjacent="coffee_makers@coffee mug/travel mug", negate="material: plastic",
         needs=[("knowledge", "water bottle that keeps drinks cold all day | something to keep my drinks cold all day",
                 "insulated drinkware", "water bottle, tumbler", "all-day cold needs double-wall vacuum insulation",
                 [("material", "vacuum insulation", "insulated stainless steel", "")])]),
    dict(key="furniture", name="Living Room Furniture", dept="Furniture",
         cores="sofa, loveseat, sofa bed, armchair, coffee table, bookshelf",
         brands="Pottery Barn*x1.5; West Elm*; Article (sofa, loveseat, armchair, coffee table); Burrow (sofa, "
                "loveseat, armchair); Ashley; IKEA. ; Zinus. (sofa, loveseat, coffee table, bookshelf)",
         models="IKEA: KIVIK = sofa | BILLY = bookshelf | LACK = coffee table | POANG = armchair; Article: Sven = "
                "sofa {material: leather}; West Elm: Harmony = sofa; Burrow: Nomad = sofa",
         attrs="colour: grey, charcoal, beige, cream, navy, forest green, sage, white, black, cognac, tan; "
               "material@sofa/loveseat/sofa bed/armchair: performance fabric, velvet, linen, bouclé, leather, "
               "microfiber; material: solid oak, walnut, engineered wood, metal, glass; "
               "width~@loveseat: 52 in, 58 in, 64 in; "
               "width~@sofa/sofa bed: 62 in, 72 in, 84 in, 96 in",
         price="300-900; coffee table: 60-250; bookshelf: 50-200; armchair: 200-600", adjacent="office_furniture, "
         "bedding, home_decor", negate="material: leather",
         needs=[("knowledge", "sofa for a small apartment | couch for a tiny studio", "a couch", "sofa, sofa bed, "
                 "loveseat", "a small room fits a sofa about 72 inches wide or less",
                 [("width", "a compact width (72 in or less)", "52 in, 58 in, 62 in, 64 in, 72 in", "84 in")]),
                ("qa", "which sofa fabric is best with cats | couch that cats wont scratch", "a couch",
                 "sofa, loveseat", "claws snag loops and weaves; tight performance fabric, microfiber or "
                 "velvet resist them", [("material", "a claw-resistant fabric", "performance fabric, microfiber, "
                                         "velvet", "leather")])]),
    dict(key="office_furniture", name="Office Furniture", dept="Furniture",
         cores="office chair, gaming chair, standing desk, writing desk",
         brands="Herman Miller*x3 (office chair); Steelcase*x2.5 (office chair); Secretlab (gaming chair); Branch "
                "(office chair, standing desk); Flexispot (standing desk); Uplift* (standing desk); Amazon Basics. "
                "(office chair, writing desk); Sihoo. (office chair); IKEA. (writing desk, office chair)",
         models="Herman Miller: Aeron = office chair {lumbar support: adjustable lumbar support} | Embody = office "
                "chair; Steelcase: Leap V2 = office chair {lumbar support: adjustable lumbar support}; Secretlab: "
                "Titan Evo = gaming chair; Flexispot: E7 = standing desk; Uplift: V2 = standing desk",
         attrs="colour: black, grey, white, navy, pink; material@office chair/gaming chair: mesh, leather, faux "
               "leather, fabric; lumbar support@office chair/gaming chair: adjustable lumbar support, fixed lumbar "
               "support, no lumbar support; width~@standing desk/writing desk: 40 in, 48 in, 55 in, 60 in",
         price="120-400", adjacent="furniture",
         needs=[("qa", "what office chair is good for lower back pain | chair for working from home with a bad back",
                 "a desk chair", "office chair, gaming chair", "lower back pain calls for adjustable lumbar support",
                 [("lumbar support", "adjustable lumbar support", "adjustable lumbar support",
                   "fixed lumbar support")])]),
    dict(key="bedding", name="Mattresses & Bedding", dept="Furniture",
         cores="mattress, mattress topper, pillow, sheet set, duvet",
         brands="Tempur-Pedic*x2.5 (mattress, mattress topper, pillow); Saatva*x2 (mattress); Purple* (mattress, "
                "pillow); Casper (mattress, pillow); Brooklinen (sheet set, duvet); Coop Sleep Goods (pillow); Zinus. "
                "(mattress, mattress topper); Linenspa. (mattress, mattress topper)",
         models="Tempur-Pedic: TEMPUR-ProAdapt = mattress {material: memory foam}; Saatva: Classic = mattress "
                "{material: innerspring}; Casper: Original = mattress; Zinus: Green Tea = mattress {material: memory "
                "foam}",
         attrs="size: twin, full, queen, king, California king; firmness~@mattress/mattress topper: soft, medium, "
               "medium-firm, firm; material@mattress: memory foam, hybrid, latex, innerspring; material@sheet "
               "set/duvet: cotton, linen, bamboo viscose, microfiber; colour@sheet set/duvet/pillow: white, grey, "
               "beige, navy, sage, blush",
         price="35-120; mattress: 350-1000", adjacent="furniture",
         needs=[("knowledge", "mattress for back pain | best mattress for a bad back", "a mattress", "mattress",
                 "back pain is usually eased by medium-firm support",
                 [("firmness", "medium-firm support", "medium-firm", "firm, medium")]),
                ("knowledge", "sheets for hot sleepers | cooling sheets for night sweats", "sheets", "sheet set",
                 "hot sleepers do best in breathable linen or bamboo",
                 [("material", "a breathable, cooling fabric", "linen, bamboo viscose", "cotton")])]),
    dict(key="home_decor", name="Home Decor", dept="Home & Kitchen", cores="area rug, throw pillow, curtains, mirror",
         brands="Pottery Barn* ; Ruggable (area rug); Safavieh (area rug); nuLOOM. (area rug); MIULEE. (throw pillow, "
                "curtains); Umbra (mirror); Amazon Basics. (curtains, mirror, throw pillow)",
         attrs="colour: beige, cream, grey, navy, blue, sage, forest green, rust, black, white, blush; material@area "
               "rug: wool, jute, polypropylene, cotton; material@throw pillow/curtains: velvet, linen, cotton, "
               "polyester; size@area rug: 5x7 ft, 8x10 ft, 9x12 ft; care@area rug: machine washable, spot clean "
               "only; light@curtains: blackout, light filtering, sheer",
         price="25-90; area rug: 80-300", adjacent="furniture", negate="material: wool",
         needs=[("knowledge", "rug for a house with a new puppy | rug that survives pets", "a rug", "area rug",
                 "puppies have accidents, so a rug that goes in the washing machine is best",
                 [("care", "machine washability", "machine washable", "")]),
                ("qa", "what curtains keep a bedroom dark for night shifts | curtains for day sleeping",
                 "curtains", "curtains", "sleeping by day needs blackout curtains",
                 [("light", "blackout lining", "blackout", "light filtering")])]),
    dict(key="vacuums", name="Vacuums & Floor Care", dept="Home & Kitchen",
         cores="robot vacuum, cordless stick vacuum, upright vacuum, handheld vacuum, carpet cleaner",
         generic="vacuum",
         brands="Dyson*x1.6 {filter: HEPA filter} (cordless stick vacuum, upright vacuum, handheld vacuum); iRobot "
                "(robot vacuum); Roborock* (robot vacuum); Shark (robot vacuum, cordless stick vacuum, upright "
                "vacuum, handheld vacuum); Bissell (carpet cleaner, upright vacuum, handheld vacuum); Tineco "
                "(cordless stick vacuum); Eufy. (robot vacuum); Hoover. (upright vacuum, carpet cleaner)",
         models="Dyson: V15 Detect = cordless stick vacuum {filter: HEPA filter} | V8 = cordless stick vacuum; "
                "iRobot: Roomba j7+ = robot vacuum | Roomba 694 = robot vacuum; Shark: Navigator NV352 = upright "
                "vacuum; Roborock: S8 = robot vacuum; Eufy: RoboVac 11S = robot vacuum; Bissell: Little Green = "
                "carpet cleaner {colour: green}",
         attrs="colour: grey, purple, black, white, blue, red, green; filter: HEPA filter, standard filter",
         price="150-350; handheld vacuum: 40-120",
         needs=[("qa", "best vacuum for pet hair and allergies | vacuum for someone with dust allergy", "a vacuum",
                 "cordless stick vacuum, upright vacuum, robot vacuum", "allergy sufferers need a sealed HEPA filter",
                 [("filter", "a HEPA filter", "HEPA filter", "")])]),
]

KIN = [
    "blender ~ food processor", "air fryer ~ toaster", "electric kettle ~ stovetop kettle", "slow cooker ~ Dutch oven",
    "frying pan ~ cookware set", "saucepan ~ cookware set", "espresso machine ~ pod coffee machine",
    "drip coffee maker ~ pod coffee machine", "tumbler ~ water bottle", "tumbler ~ travel mug",
    "travel mug ~ coffee mug", "sofa ~ loveseat", "sofa ~ sofa bed", "loveseat ~ armchair",
    "office chair ~ gaming chair", "standing desk ~ writing desk", "mattress ~ mattress topper", "sheet set ~ duvet",
    "cordless stick vacuum ~ upright vacuum", "cordless stick vacuum ~ handheld vacuum",
]
