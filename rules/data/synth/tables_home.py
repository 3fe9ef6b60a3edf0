"""Catalog tables: kitchen, home, toys, sports, outdoors, pets, baby. Notation: see `tables_fashion.py`."""

HOME_COLOURS = "black, white, cream, red, sage, blue, navy, stainless steel, grey"

SPECS = [
    dict(key="kitchen_appliances", name="Kitchen Appliances", dept="Home & Kitchen",
         cores="blender, food processor, stand mixer, air fryer, electric kettle, toaster, slow cooker",
         brands="Vitamix*x2.5 (blender); KitchenAid* (stand mixer, blender, toaster, food processor, electric kettle); "
                "Breville* (toaster, electric kettle, blender); Ninja (blender, air fryer, food processor); Cuisinart "
                "(food processor, toaster, electric kettle, blender); Cosori (air fryer, electric kettle); Instant "
                "(air fryer, slow cooker); Crock-Pot (slow cooker); Hamilton Beach. ; Amazon Basics. (electric "
                "kettle, toaster, slow cooker)",
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
         brands="Le Creuset*x2 (Dutch oven, saucepan, stovetop kettle, frying pan); Staub* (Dutch oven, frying pan); "
                "All-Clad* (frying pan, saucepan, cookware set); HexClad* (frying pan, cookware set); Caraway (cookware "
                "set, frying pan, saucepan, Dutch oven); Calphalon; T-fal. (frying pan, cookware set, saucepan); Lodge. "
                "(Dutch oven, frying pan)",
         models="Le Creuset: Signature Round = Dutch oven {material: enameled cast iron}; Lodge: Classic Skillet = "
                "frying pan {material: cast iron}; HexClad: Hybrid = frying pan {material: stainless steel}; All-Clad: "
                "D3 = frying pan {material: stainless steel}; Caraway: Ceramic = cookware set {material: ceramic "
                "nonstick}",
         attrs="colour: black, red, cream, sage, blue, stainless steel, grey; material@Dutch oven: cast iron, enameled "
               "cast iron; material@stovetop kettle: stainless steel, enameled steel; material: cast iron, stainless "
               "steel, carbon steel, nonstick aluminium, ceramic nonstick; size~@frying pan: 8 inch, 10 inch, 12 "
               "inch; capacity~@Dutch oven: 3.5 qt, 5.5 qt, 7.25 qt",
         price="30-90; cookware set: 120-300", adjacent="kitchen_appliances", negate="material: nonstick",
         needs=[("qa", "which pans work on an induction hob | frying pan for induction cooktop", "a pan",
                 "frying pan, saucepan, cookware set", "induction needs a magnetic base: cast iron, stainless or carbon "
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
         price="60-180; espresso machine: 250-600; French press: 20-45", adjacent="kitchen_appliances, drinkware",
         needs=[("qa", "what coffee maker makes real espresso | machine for making lattes at home", "a coffee maker",
                 "espresso machine", "real espresso needs a pump espresso machine", []),
                ("knowledge", "coffee maker for an office of 15 people | coffee maker for a big family", "a coffee "
                 "maker", "drip coffee maker", "a crowd needs a large drip maker of 12 cups or more",
                 [("capacity", "12 cups or more", "12 cups, 14 cups", "10 cups")])]),
    dict(key="drinkware", name="Drinkware", dept="Home & Kitchen",
         cores="tumbler, water bottle, travel mug, coffee mug",
         brands="Stanley* (tumbler, water bottle, travel mug); YETI* (tumbler, water bottle, travel mug, coffee mug); "
                "Hydro Flask (water bottle, tumbler); Owala (water bottle, tumbler); Zojirushi (travel mug); Contigo. "
                "(travel mug, water bottle, coffee mug); Simple Modern. (tumbler, water bottle)",
         models="Stanley: Quencher H2.0 = tumbler {material: insulated stainless steel} | IceFlow = water bottle; "
                "YETI: Rambler 20 oz = tumbler {material: insulated stainless steel, capacity: 20 oz}; Owala: FreeSip "
                "= water bottle; Hydro Flask: Wide Mouth = water bottle {material: insulated stainless steel}",
         attrs="colour: black, white, pink, rose, blue, navy, sage, lavender, cream; capacity~: 12 oz, 20 oz, 24 oz, "
               "32 oz, 40 oz; material@coffee mug: ceramic, glass; material@travel mug: insulated stainless steel, "
               "plastic; material: insulated stainless steel, single-wall stainless steel, BPA-free plastic, glass",
         price="15-35", adjacent="coffee_makers", negate="material: plastic",
         needs=[("knowledge", "water bottle that keeps drinks cold all day | bottle that keeps ice for 24 hours",
                 "a water bottle", "water bottle, tumbler", "all-day cold needs double-wall vacuum insulation",
                 [("material", "vacuum insulation", "insulated stainless steel", "")])]),
    dict(key="furniture", name="Living Room Furniture", dept="Furniture",
         cores="sofa, loveseat, sofa bed, armchair, coffee table, bookshelf",
         brands="Pottery Barn*x1.5; West Elm*; Article (sofa, loveseat, armchair, coffee table); Burrow (sofa, "
                "loveseat, armchair); Ashley; IKEA. ; Zinus. (sofa, loveseat, coffee table, bookshelf)",
         models="IKEA: KIVIK = sofa | BILLY = bookshelf | LACK = coffee table | POANG = armchair; Article: Sven = sofa "
                "{material: leather}; West Elm: Harmony = sofa; Burrow: Nomad = sofa",
         attrs="colour: grey, charcoal, beige, cream, navy, forest green, sage, white, black, cognac, tan; "
               "material@sofa/loveseat/sofa bed/armchair: performance fabric, velvet, linen, bouclé, leather, "
               "microfiber; material: solid oak, walnut, engineered wood, metal, glass; width~@sofa/sofa bed/loveseat: 62 in, "
               "72 in, 84 in, 96 in",
         price="300-900; coffee table: 60-250; bookshelf: 50-200; armchair: 200-600", adjacent="office_furniture, "
         "bedding, home_decor", negate="material: leather",
         needs=[("knowledge", "sofa for a small apartment | couch for a tiny studio", "a sofa", "sofa, sofa bed, "
                 "loveseat", "a small room fits a sofa about 72 inches wide or less",
                 [("width", "a compact width (72 in or less)", "62 in, 72 in", "84 in")]),
                ("qa", "which sofa fabric is best with cats | couch that cats wont scratch", "a sofa",
                 "sofa, loveseat, armchair", "claws snag loops and weaves; tight performance fabric, microfiber or "
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
                 "an office chair", "office chair, gaming chair", "lower back pain calls for adjustable lumbar support",
                 [("lumbar support", "adjustable lumbar support", "adjustable lumbar support", "fixed lumbar support")])]),
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
         brands="Dyson*x2 (cordless stick vacuum, upright vacuum, handheld vacuum); iRobot (robot vacuum); Roborock* "
                "(robot vacuum); Shark (robot vacuum, cordless stick vacuum, upright vacuum, handheld vacuum); Bissell "
                "(carpet cleaner, upright vacuum, handheld vacuum); Tineco (cordless stick vacuum); Eufy. (robot "
                "vacuum); Hoover. (upright vacuum, carpet cleaner)",
         models="Dyson: V15 Detect = cordless stick vacuum {filter: HEPA filter} | V8 = cordless stick vacuum; iRobot: "
                "Roomba j7+ = robot vacuum | Roomba 694 = robot vacuum; Shark: Navigator NV352 = upright vacuum; "
                "Roborock: S8 = robot vacuum; Eufy: RoboVac 11S = robot vacuum; Bissell: Little Green = carpet cleaner",
         attrs="colour: grey, purple, black, white, blue, red; filter: HEPA filter, standard filter",
         price="150-350; handheld vacuum: 40-120",
         needs=[("qa", "best vacuum for pet hair and allergies | vacuum for someone with dust allergy", "a vacuum",
                 "cordless stick vacuum, upright vacuum, robot vacuum", "allergy sufferers need a sealed HEPA filter",
                 [("filter", "a HEPA filter", "HEPA filter", "")])]),
    dict(key="toys", name="Toys", dept="Toys & Games", generic="toy",
         cores="building set, plush toy, action figure, play set, doll, remote control car",
         brands="LEGO* (building set); Jellycat* (plush toy); Melissa & Doug (play set, plush toy); Hasbro (action "
                "figure, play set); Mattel (doll, play set, action figure); Schleich (action figure, play set); "
                "Squishmallows (plush toy); Mega Bloks. (building set); Hot Wheels. (play set, remote control car)",
         models="LEGO: Jurassic World T. rex Breakout = building set {theme: dinosaurs} | City Fire Station = building "
                "set {theme: vehicles} | Creator 3in1 Space Shuttle = building set {theme: space}; Jellycat: Bashful "
                "Bunny = plush toy {theme: animals}; Mattel: Barbie Dreamhouse = play set {theme: dolls and "
                "princesses}",
         attrs="theme: dinosaurs, space, vehicles, animals, dolls and princesses, superheroes, science; age: ages 0-2, "
               "ages 3-5, ages 6-8, ages 9-12",
         price="15-60", adjacent="games",
         needs=[("knowledge", "gift for a 5 year old who likes dinosaurs | present for my dino obsessed 5 year old",
                 "a gift", "building set, plush toy, action figure, play set", "a 5 year old needs a toy made for ages "
                 "3-5 or so, and this one loves dinosaurs", [("theme", "a dinosaur theme", "dinosaurs", ""),
                                                             ("age", "an age range that includes 5", "ages 3-5",
                                                              "ages 6-8")]),
                ("knowledge", "stem toy for a 10 year old | science gift for a curious 10 year old", "a gift",
                 "building set, play set, remote control car", "a 10 year old wants a science or space toy made for "
                 "ages 9-12", [("theme", "a science or space theme", "science, space", ""),
                               ("age", "ages 9-12", "ages 9-12", "ages 6-8")])]),
    dict(key="games", name="Games & Puzzles", dept="Toys & Games",
         cores="board game, card game, party game, jigsaw puzzle",
         brands="Stonemaier Games (board game); Catan Studio (board game); Hasbro (board game, card game); Mattel "
                "(card game); Exploding Kittens (card game, party game); Ravensburger (jigsaw puzzle, board game); "
                "Cards Against Humanity (party game); What Do You Meme (party game); Buffalo Games. (jigsaw puzzle)",
         models="Stonemaier Games: Wingspan = board game {age: ages 10+}; Catan Studio: Catan = board game {age: ages "
                "10+}; Hasbro: Monopoly Classic = board game {age: ages 8+}; Mattel: UNO = card game {age: ages 6+}; "
                "Exploding Kittens: Original Edition = card game {age: ages 6+}; Cards Against Humanity: Main Game = "
                "party game {age: ages 17+}",
         attrs="age@party game: ages 14+, ages 17+; age: ages 6+, ages 8+, ages 10+, ages 14+; players: 2-4 players, "
               "2-6 players, 3-8 players, 1 player; pieces@jigsaw puzzle: 500 pieces, 1000 pieces, 2000 pieces",
         price="15-45", adjacent="toys",
         needs=[("knowledge", "game for family night with a 7 year old | board game the whole family can play with "
                 "young kids", "a family game", "board game, card game", "a 7 year old can play games rated 6+",
                 [("age", "a 6+ age rating", "ages 6+", "ages 8+")])]),
    dict(key="fitness", name="Exercise & Fitness", dept="Sports & Outdoors",
         cores="dumbbells, kettlebell, yoga mat, resistance bands, treadmill, exercise bike",
         brands="Peloton*x1.6 (exercise bike, treadmill); Rogue* (kettlebell, dumbbells); Manduka* (yoga mat); "
                "Lululemon* (yoga mat); Bowflex (dumbbells, treadmill); NordicTrack (treadmill, exercise bike); "
                "Gaiam. (yoga mat, resistance bands); Amazon Basics. (dumbbells, kettlebell, yoga mat, resistance "
                "bands); Fit Simplify. (resistance bands)",
         models="Bowflex: SelectTech 552 = dumbbells {type: adjustable}; Peloton: Bike+ = exercise bike | Tread = "
                "treadmill; Manduka: PRO = yoga mat {thickness: 6 mm, material: PVC}; Lululemon: The Mat 5mm = yoga "
                "mat {thickness: 5 mm, material: natural rubber}",
         attrs="colour@yoga mat/resistance bands/dumbbells/kettlebell: black, purple, blue, pink, grey, sage; "
               "type@dumbbells: adjustable, fixed; weight~@dumbbells/kettlebell: 10 lb, 15 lb, 20 lb, 25 lb, 35 lb; "
               "thickness~@yoga mat: 3 mm, 4 mm, 5 mm, 6 mm, 8 mm; material@yoga mat: natural rubber, TPE, PVC, "
               "cork; material@resistance bands: latex, TPE, fabric",
         price="25-90; treadmill: 600-1500; exercise bike: 400-1200", adjacent="activewear",
         negate="material: PVC; material: latex",
         needs=[("knowledge", "dumbbells for a small apartment | weights that dont take up space", "dumbbells",
                 "dumbbells", "one adjustable pair replaces a whole rack of fixed weights",
                 [("type", "an adjustable set", "adjustable", "")]),
                ("qa", "what yoga mat is best for bad knees | thick yoga mat for sensitive joints", "a yoga mat",
                 "yoga mat", "sore knees need a thick mat, 6 mm or more", [("thickness", "6 mm or more", "6 mm, 8 mm",
                                                                         "5 mm")])]),
    dict(key="bikes", name="Bikes", dept="Sports & Outdoors", generic="bike",
         cores="road bike, mountain bike, hybrid bike, electric bike, kids bike",
         brands="Specialized* (road bike, mountain bike, electric bike); Trek (road bike, mountain bike, hybrid bike, "
                "kids bike); Cannondale (road bike, mountain bike, hybrid bike); Giant (road bike, mountain bike, "
                "hybrid bike); Rad Power Bikes (electric bike); Aventon (electric bike); Schwinn. (hybrid bike, kids "
                "bike, mountain bike); Huffy. (kids bike, mountain bike)",
         models="Trek: FX 2 = hybrid bike | Marlin 5 = mountain bike | Domane AL 2 = road bike; Specialized: Allez = "
                "road bike | Rockhopper = mountain bike | Turbo Vado = electric bike; Giant: Escape 3 = hybrid bike; "
                "Rad Power Bikes: RadCity 5 Plus = electric bike; Aventon: Level.2 = electric bike",
         attrs="colour: black, blue, red, white, green, grey; frame size~: XS, S, M, L, XL; wheel size~@kids bike: "
               "12 in, 16 in, 20 in, 24 in",
         price="450-1100; electric bike: 1200-2000; kids bike: 120-260",
         needs=[("knowledge", "bike for commuting to work in the city | bike for riding to the office", "a bike",
                 "hybrid bike, electric bike", "city commuting suits an upright hybrid or an e-bike", []),
                ("knowledge", "bike for a 5 year old | first pedal bike for my 5 year old", "a bike", "kids bike",
                 "most 5 year olds fit 16 inch wheels", [("wheel size", "16 inch wheels", "16 in", "20 in, 12 in")])]),
    dict(key="camping", name="Camping & Hiking", dept="Sports & Outdoors",
         cores="tent, sleeping bag, hiking backpack, camping stove, headlamp",
         brands="MSR* (tent, camping stove); Big Agnes* (tent, sleeping bag); The North Face* (tent, sleeping bag, "
                "hiking backpack); REI Co-op (tent, sleeping bag, hiking backpack); Osprey (hiking backpack); Jetboil "
                "(camping stove); Black Diamond (headlamp); Kelty (tent, sleeping bag); Coleman. (tent, sleeping bag, "
                "camping stove)",
         models="Coleman: Sundome = tent {season: 3-season}; MSR: Hubba Hubba = tent {capacity: 2-person} | "
                "PocketRocket 2 = camping stove; Osprey: Atmos AG 65 = hiking backpack {capacity: 65 L}; Jetboil: "
                "Flash = camping stove; Big Agnes: Copper Spur HV UL2 = tent {capacity: 2-person}; Black Diamond: "
                "Spot 400 = headlamp",
         attrs="colour: green, orange, grey, blue, red, black, olive; capacity~@tent: 1-person, 2-person, 4-person, "
               "6-person; season@tent: 3-season, 4-season; temperature rating~@sleeping bag: 40°F, 20°F, 0°F; "
               "capacity~@hiking backpack: 30 L, 45 L, 65 L",
         price="40-160; tent: 120-400", adjacent="handbags",
         needs=[("knowledge", "sleeping bag for winter camping | sleeping bag for snow camping", "a sleeping bag",
                 "sleeping bag", "winter nights need a bag rated to about 0°F",
                 [("temperature rating", "a 0°F rating", "0°F", "20°F")]),
                ("knowledge", "tent for a family of four | tent for camping with two kids", "a tent", "tent",
                 "four people need a tent for at least four", [("capacity", "room for four", "4-person, 6-person",
                                                                "")])]),
    dict(key="pets", name="Pet Supplies", dept="Pet Supplies",
         cores="dog bed, dog harness, dog collar, cat tree, litter box",
         brands="Big Barker*x2 (dog bed); Litter-Robot*x4 (litter box); Ruffwear* (dog harness, dog collar); Furhaven "
                "(dog bed, cat tree); Julius-K9 (dog harness); PetSafe (dog harness, litter box, dog collar); Frisco. "
                "(dog bed, cat tree, litter box, dog collar)",
         models="Ruffwear: Front Range = dog harness {type: front-clip no-pull}; Julius-K9: IDC Powerharness = dog "
                "harness {type: back-clip}; PetSafe: Easy Walk = dog harness {type: front-clip no-pull}",
         attrs="colour: black, grey, blue, red, green, pink, brown; size~@dog bed/dog harness/dog collar: S, M, L, XL; "
               "type@dog bed: orthopedic memory foam, bolster, flat cushion; type@dog harness: front-clip no-pull, "
               "back-clip",
         price="20-70; cat tree: 60-150; litter box: 25-60",
         needs=[("knowledge", "bed for a senior dog with arthritis | dog bed for an old lab with joint pain",
                 "a dog bed", "dog bed", "arthritic joints need orthopedic memory foam",
                 [("type", "orthopedic support", "orthopedic memory foam", "bolster")]),
                ("qa", "what harness stops a dog from pulling | harness for a dog that pulls on the lead",
                 "a harness", "dog harness", "a front clip turns a pulling dog towards you",
                 [("type", "a front-clip no-pull design", "front-clip no-pull", "")])]),
    dict(key="baby", name="Baby Gear", dept="Baby",
         cores="stroller, car seat, baby carrier, high chair, baby monitor",
         brands="UPPAbaby*x1.5 (stroller); Nuna* (car seat, stroller, high chair); BabyBjorn* (baby carrier); Nanit* "
                "(baby monitor); Chicco (stroller, car seat, high chair); Ergobaby (baby carrier); Infant Optics (baby "
                "monitor); Graco. (stroller, car seat, high chair); Evenflo. (car seat, high chair)",
         models="UPPAbaby: Vista V2 = stroller {type: full-size} | Minu V2 = stroller {type: lightweight travel}; "
                "Nuna: PIPA urbn = car seat {type: infant (rear-facing)}; Chicco: KeyFit 35 = car seat {type: infant "
                "(rear-facing)}; Graco: 4Ever DLX = car seat {type: all-in-one}; Ergobaby: Omni 360 = baby carrier; "
                "Nanit: Pro = baby monitor",
         attrs="colour: black, grey, navy, beige, sage, blush; type@car seat: infant (rear-facing), convertible, "
               "all-in-one, booster; type@stroller: full-size, lightweight travel, jogging, double",
         price="80-300; baby carrier: 60-180",
         needs=[("knowledge", "car seat for a newborn | car seat to bring the baby home from hospital", "a car seat",
                 "car seat", "a newborn rides rear-facing in an infant seat; boosters are for big kids",
                 [("type", "a rear-facing infant fit", "infant (rear-facing)", "convertible, all-in-one")]),
                ("knowledge", "stroller i can run with | stroller for jogging", "a stroller", "stroller",
                 "running needs a jogging stroller with a fixed front wheel", [("type", "a jogging design",
                                                                             "jogging", "")])]),
]

KIN = [
    "blender ~ food processor", "air fryer ~ toaster", "electric kettle ~ stovetop kettle", "slow cooker ~ Dutch oven",
    "frying pan ~ cookware set", "saucepan ~ cookware set", "espresso machine ~ pod coffee machine",
    "drip coffee maker ~ pod coffee machine", "tumbler ~ water bottle", "tumbler ~ travel mug",
    "travel mug ~ coffee mug", "sofa ~ loveseat", "sofa ~ sofa bed", "loveseat ~ armchair", "office chair ~ gaming "
    "chair", "standing desk ~ writing desk", "mattress ~ mattress topper", "sheet set ~ duvet",
    "cordless stick vacuum ~ upright vacuum", "cordless stick vacuum ~ handheld vacuum", "action figure ~ play set",
    "doll ~ play set", "board game ~ card game", "card game ~ party game", "dumbbells ~ kettlebell",
    "treadmill ~ exercise bike", "hybrid bike ~ road bike", "hybrid bike ~ mountain bike", "hybrid bike ~ electric "
    "bike", "dog harness ~ dog collar", "stroller ~ baby carrier",
]
