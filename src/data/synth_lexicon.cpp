// The word lists of the synthetic German->English corpus, as text compiled into the binary.
#include "seq2seq/data/synth_grammar.h"

namespace seq2seq::data::synth {

// Format: one entry per line, fields separated by '|'; '#' starts a comment line.
//   N|singular|plural|gender (m/f/n)|english|english plural|classes|options
//       options: obl=FORM (weak masculine singular accusative/dative), mass (no plural, no "ein"),
//                loc=de:en/de:en (prepositions of place with their English)
//   A|german|english|order (1 opinion 2 size 3 quality 4 age 5 colour)|classes|options (stem=STEM, nograd)
//   V|frame|infinitive (separable: an+rufen)|forms|english|subject|accusative|dative|options
//       frame: intr motion trans dat ditrans copula loc comp weather
//       forms: "-" regular; "du-form er-form" for stem changes; or all six present forms
//       english: base form (base/third for irregular third persons) then the rest, with {A} {D}
//                slots, ~particle (after a pronoun object) and ^preposition (moves before "whom")
//       options: dass ob (complementisers), vs (takes "gegen + person")
//   T|german|english|options   time adverb: front noneg nichtfirst preverb
//   M|german|english|options   manner adverb: pl (plural subject only)
//   I|german|english|options   intensifier: pred (predicative only)
//   P|name|gender
//   Mod|infinitive|six forms|pure/verb/be|english|english negated
//   R|german|english|case       preposition
//   C|german|english|sub/comp/coord|options (comma)
// Class names are those in synth_grammar.h (lower case); groups: living, portable, visible, all.
const char* lexicon_text() {
  return R"LEX(
# ---------------------------------------------------------------- people
N|Mann|Männer|m|man|men|person
N|Frau|Frauen|f|woman|women|person
N|Kind|Kinder|n|child|children|person
N|Junge|Jungen|m|boy|boys|person|obl=Jungen
N|Mädchen|Mädchen|n|girl|girls|person
N|Baby|Babys|n|baby|babies|person
N|Vater|Väter|m|father|fathers|person
N|Mutter|Mütter|f|mother|mothers|person
N|Bruder|Brüder|m|brother|brothers|person
N|Schwester|Schwestern|f|sister|sisters|person
N|Sohn|Söhne|m|son|sons|person
N|Tochter|Töchter|f|daughter|daughters|person
N|Onkel|Onkel|m|uncle|uncles|person
N|Tante|Tanten|f|aunt|aunts|person
N|Großvater|Großväter|m|grandfather|grandfathers|person
N|Großmutter|Großmütter|f|grandmother|grandmothers|person
N|Enkel|Enkel|m|grandson|grandsons|person
N|Enkelin|Enkelinnen|f|granddaughter|granddaughters|person
N|Freund|Freunde|m|friend|friends|person
N|Freundin|Freundinnen|f|friend|friends|person
N|Nachbar|Nachbarn|m|neighbour|neighbours|person|obl=Nachbarn
N|Nachbarin|Nachbarinnen|f|neighbour|neighbours|person
N|Lehrer|Lehrer|m|teacher|teachers|person
N|Lehrerin|Lehrerinnen|f|teacher|teachers|person
N|Schüler|Schüler|m|pupil|pupils|person
N|Schülerin|Schülerinnen|f|pupil|pupils|person
N|Student|Studenten|m|student|students|person|obl=Studenten
N|Studentin|Studentinnen|f|student|students|person
N|Arzt|Ärzte|m|doctor|doctors|person
N|Ärztin|Ärztinnen|f|doctor|doctors|person
N|Koch|Köche|m|cook|cooks|person
N|Köchin|Köchinnen|f|cook|cooks|person
N|Bäcker|Bäcker|m|baker|bakers|person
N|Bäckerin|Bäckerinnen|f|baker|bakers|person
N|Polizist|Polizisten|m|police officer|police officers|person|obl=Polizisten
N|Polizistin|Polizistinnen|f|police officer|police officers|person
N|Verkäufer|Verkäufer|m|shop assistant|shop assistants|person
N|Verkäuferin|Verkäuferinnen|f|shop assistant|shop assistants|person
N|Kellner|Kellner|m|waiter|waiters|person
N|Kellnerin|Kellnerinnen|f|waitress|waitresses|person
N|Fahrer|Fahrer|m|driver|drivers|person
N|Fahrerin|Fahrerinnen|f|driver|drivers|person
N|Chef|Chefs|m|boss|bosses|person
N|Chefin|Chefinnen|f|boss|bosses|person
N|Kollege|Kollegen|m|colleague|colleagues|person|obl=Kollegen
N|Kollegin|Kolleginnen|f|colleague|colleagues|person
N|Gast|Gäste|m|guest|guests|person
N|Kunde|Kunden|m|customer|customers|person|obl=Kunden
N|Kundin|Kundinnen|f|customer|customers|person
N|Bauer|Bauern|m|farmer|farmers|person|obl=Bauern
N|Bäuerin|Bäuerinnen|f|farmer|farmers|person
N|Maler|Maler|m|painter|painters|person
N|Malerin|Malerinnen|f|painter|painters|person
N|Sänger|Sänger|m|singer|singers|person
N|Sängerin|Sängerinnen|f|singer|singers|person
N|Tänzer|Tänzer|m|dancer|dancers|person
N|Tänzerin|Tänzerinnen|f|dancer|dancers|person
N|Pilot|Piloten|m|pilot|pilots|person|obl=Piloten
N|Pilotin|Pilotinnen|f|pilot|pilots|person
N|Ingenieur|Ingenieure|m|engineer|engineers|person
N|Ingenieurin|Ingenieurinnen|f|engineer|engineers|person
N|Professor|Professoren|m|professor|professors|person
N|Professorin|Professorinnen|f|professor|professors|person
N|Künstler|Künstler|m|artist|artists|person
N|Künstlerin|Künstlerinnen|f|artist|artists|person
N|Journalist|Journalisten|m|journalist|journalists|person|obl=Journalisten
N|Journalistin|Journalistinnen|f|journalist|journalists|person
N|Mensch|Menschen|m|person|people|person|obl=Menschen
N|Herr|Herren|m|gentleman|gentlemen|person|obl=Herrn
N|Dame|Damen|f|lady|ladies|person
N|Soldat|Soldaten|m|soldier|soldiers|person|obl=Soldaten
N|Richter|Richter|m|judge|judges|person
N|Richterin|Richterinnen|f|judge|judges|person
N|Tourist|Touristen|m|tourist|tourists|person|obl=Touristen
N|Touristin|Touristinnen|f|tourist|tourists|person
N|Postbote|Postboten|m|postman|postmen|person|obl=Postboten
N|Mechaniker|Mechaniker|m|mechanic|mechanics|person
N|Gärtner|Gärtner|m|gardener|gardeners|person
N|Gärtnerin|Gärtnerinnen|f|gardener|gardeners|person
N|König|Könige|m|king|kings|person
N|Königin|Königinnen|f|queen|queens|person
N|Prinz|Prinzen|m|prince|princes|person|obl=Prinzen
N|Prinzessin|Prinzessinnen|f|princess|princesses|person
N|Fischer|Fischer|m|fisherman|fishermen|person
N|Spieler|Spieler|m|player|players|person
N|Spielerin|Spielerinnen|f|player|players|person
N|Sportler|Sportler|m|athlete|athletes|person
# ---------------------------------------------------------------- animals
N|Hund|Hunde|m|dog|dogs|animal
N|Katze|Katzen|f|cat|cats|animal
N|Pferd|Pferde|n|horse|horses|animal
N|Vogel|Vögel|m|bird|birds|animal
N|Kuh|Kühe|f|cow|cows|animal
N|Maus|Mäuse|f|mouse|mice|animal
N|Fisch|Fische|m|fish|fish|animal
N|Schwein|Schweine|n|pig|pigs|animal
N|Schaf|Schafe|n|sheep|sheep|animal
N|Ente|Enten|f|duck|ducks|animal
N|Hase|Hasen|m|hare|hares|animal|obl=Hasen
N|Bär|Bären|m|bear|bears|animal|obl=Bären
N|Löwe|Löwen|m|lion|lions|animal|obl=Löwen
N|Affe|Affen|m|monkey|monkeys|animal|obl=Affen
N|Elefant|Elefanten|m|elephant|elephants|animal|obl=Elefanten
N|Tiger|Tiger|m|tiger|tigers|animal
N|Fuchs|Füchse|m|fox|foxes|animal
N|Wolf|Wölfe|m|wolf|wolves|animal
N|Esel|Esel|m|donkey|donkeys|animal
N|Ziege|Ziegen|f|goat|goats|animal
N|Huhn|Hühner|n|chicken|chickens|animal
N|Frosch|Frösche|m|frog|frogs|animal
N|Schlange|Schlangen|f|snake|snakes|animal
N|Eichhörnchen|Eichhörnchen|n|squirrel|squirrels|animal
N|Kaninchen|Kaninchen|n|rabbit|rabbits|animal
N|Papagei|Papageien|m|parrot|parrots|animal
N|Eule|Eulen|f|owl|owls|animal
N|Schildkröte|Schildkröten|f|tortoise|tortoises|animal
N|Igel|Igel|m|hedgehog|hedgehogs|animal
# ---------------------------------------------------------------- food and drink
N|Apfel|Äpfel|m|apple|apples|food pick small
N|Banane|Bananen|f|banana|bananas|food
N|Birne|Birnen|f|pear|pears|food pick
N|Orange|Orangen|f|orange|oranges|food pick
N|Pfirsich|Pfirsiche|m|peach|peaches|food pick
N|Kirsche|Kirschen|f|cherry|cherries|food pick
N|Erdbeere|Erdbeeren|f|strawberry|strawberries|food pick
N|Zitrone|Zitronen|f|lemon|lemons|food pick
N|Tomate|Tomaten|f|tomato|tomatoes|food pick cook
N|Kartoffel|Kartoffeln|f|potato|potatoes|food cook
N|Karotte|Karotten|f|carrot|carrots|food cook
N|Zwiebel|Zwiebeln|f|onion|onions|food cook
N|Gurke|Gurken|f|cucumber|cucumbers|food
N|Ei|Eier|n|egg|eggs|food cook
N|Kuchen|Kuchen|m|cake|cakes|food baked
N|Keks|Kekse|m|biscuit|biscuits|food baked
N|Brötchen|Brötchen|n|bread roll|bread rolls|food baked
N|Pizza|Pizzen|f|pizza|pizzas|food baked
N|Suppe|Suppen|f|soup|soups|food cook
N|Salat|Salate|m|salad|salads|food
N|Wurst|Würste|f|sausage|sausages|food cook
N|Sandwich|Sandwiches|n|sandwich|sandwiches|food
N|Brot|-|n|bread|-|food baked|mass
N|Käse|-|m|cheese|-|food|mass
N|Reis|-|m|rice|-|food cook|mass
N|Fleisch|-|n|meat|-|food cook|mass
N|Obst|-|n|fruit|-|food|mass
N|Schokolade|-|f|chocolate|-|food|mass
N|Honig|-|m|honey|-|food|mass
N|Butter|-|f|butter|-|food|mass
N|Eis|-|n|ice cream|-|food|mass
N|Kaffee|-|m|coffee|-|drink|mass
N|Tee|-|m|tea|-|drink|mass
N|Milch|-|f|milk|-|drink|mass
N|Wasser|-|n|water|-|drink|mass
N|Saft|-|m|juice|-|drink|mass
N|Bier|-|n|beer|-|drink|mass
N|Wein|-|m|wine|-|drink|mass
N|Limonade|-|f|lemonade|-|drink|mass
N|Kakao|-|m|cocoa|-|drink|mass
# ---------------------------------------------------------------- texts, stories, ideas
N|Buch|Bücher|n|book|books|text thing write open
N|Zeitung|Zeitungen|f|newspaper|newspapers|text thing
N|Zeitschrift|Zeitschriften|f|magazine|magazines|text thing
N|Wörterbuch|Wörterbücher|n|dictionary|dictionaries|text thing
N|Roman|Romane|m|novel|novels|text thing write
N|Landkarte|Landkarten|f|map|maps|text thing
N|Postkarte|Postkarten|f|postcard|postcards|text thing write
N|Brief|Briefe|m|letter|letters|text write open
N|Nachricht|Nachrichten|f|message|messages|text write tell
N|Geschichte|Geschichten|f|story|stories|text write tell idea
N|Gedicht|Gedichte|n|poem|poems|text write learn
N|Artikel|Artikel|m|article|articles|text write
N|Rezept|Rezepte|n|recipe|recipes|text write learn note
N|Liste|Listen|f|list|lists|text write note
N|Märchen|Märchen|n|fairy tale|fairy tales|text write tell
N|Lied|Lieder|n|song|songs|music write learn
N|Witz|Witze|m|joke|jokes|tell idea
N|Geheimnis|Geheimnisse|n|secret|secrets|tell idea
N|Frage|Fragen|f|question|questions|idea note
N|Antwort|Antworten|f|answer|answers|idea note write
N|Idee|Ideen|f|idea|ideas|idea note
N|Plan|Pläne|m|plan|plans|idea note
N|Problem|Probleme|n|problem|problems|idea
N|Aufgabe|Aufgaben|f|task|tasks|idea
N|Lösung|Lösungen|f|solution|solutions|idea note
N|Wort|Wörter|n|word|words|idea note learn
N|Name|Namen|m|name|names|idea note learn|obl=Namen
N|Regel|Regeln|f|rule|rules|idea note learn
N|Adresse|Adressen|f|address|addresses|note learn
N|Nummer|Nummern|f|number|numbers|note learn
# ---------------------------------------------------------------- clothes
N|Hut|Hüte|m|hat|hats|cloth
N|Mantel|Mäntel|m|coat|coats|cloth
N|Jacke|Jacken|f|jacket|jackets|cloth
N|Schuh|Schuhe|m|shoe|shoes|cloth
N|Stiefel|Stiefel|m|boot|boots|cloth
N|Hemd|Hemden|n|shirt|shirts|cloth
N|Kleid|Kleider|n|dress|dresses|cloth
N|Rock|Röcke|m|skirt|skirts|cloth
N|Schal|Schals|m|scarf|scarves|cloth
N|Pullover|Pullover|m|jumper|jumpers|cloth
N|Mütze|Mützen|f|cap|caps|cloth
N|Handschuh|Handschuhe|m|glove|gloves|cloth
N|Socke|Socken|f|sock|socks|cloth
N|Krawatte|Krawatten|f|tie|ties|cloth
# ---------------------------------------------------------------- things
N|Schlüssel|Schlüssel|m|key|keys|thing small
N|Tasche|Taschen|f|bag|bags|thing open
N|Ball|Bälle|m|ball|balls|thing small
N|Stift|Stifte|m|pen|pens|thing small
N|Bleistift|Bleistifte|m|pencil|pencils|thing small
N|Heft|Hefte|n|exercise book|exercise books|thing open
N|Handy|Handys|n|mobile phone|mobile phones|thing device
N|Uhr|Uhren|f|clock|clocks|thing
N|Lampe|Lampen|f|lamp|lamps|thing device
N|Tasse|Tassen|f|cup|cups|thing
N|Glas|Gläser|n|glass|glasses|thing
N|Teller|Teller|m|plate|plates|thing
N|Flasche|Flaschen|f|bottle|bottles|thing open
N|Messer|Messer|n|knife|knives|thing
N|Gabel|Gabeln|f|fork|forks|thing
N|Löffel|Löffel|m|spoon|spoons|thing
N|Topf|Töpfe|m|pot|pots|thing
N|Foto|Fotos|n|photo|photos|thing
N|Bild|Bilder|n|picture|pictures|thing
N|Geschenk|Geschenke|n|present|presents|thing open
N|Blume|Blumen|f|flower|flowers|thing plant pick
N|Koffer|Koffer|m|suitcase|suitcases|thing open lock
N|Regenschirm|Regenschirme|m|umbrella|umbrellas|thing open
N|Computer|Computer|m|computer|computers|thing device
N|Kamera|Kameras|f|camera|cameras|thing device
N|Radio|Radios|n|radio|radios|thing device music
N|Fernseher|Fernseher|m|television|televisions|thing device
N|Spielzeug|Spielzeuge|n|toy|toys|thing
N|Puppe|Puppen|f|doll|dolls|thing
N|Paket|Pakete|n|parcel|parcels|thing open
N|Kiste|Kisten|f|box|boxes|thing open lock
N|Korb|Körbe|m|basket|baskets|thing
N|Kerze|Kerzen|f|candle|candles|thing
N|Decke|Decken|f|blanket|blankets|thing
N|Kissen|Kissen|n|pillow|pillows|thing small
N|Spiegel|Spiegel|m|mirror|mirrors|thing
N|Ring|Ringe|m|ring|rings|thing small
N|Kette|Ketten|f|necklace|necklaces|thing
N|Fahrkarte|Fahrkarten|f|ticket|tickets|thing
N|Gitarre|Gitarren|f|guitar|guitars|thing
N|Stein|Steine|m|stone|stones|thing small
N|Münze|Münzen|f|coin|coins|thing small
N|Drachen|Drachen|m|kite|kites|thing
N|Fahne|Fahnen|f|flag|flags|thing
N|Vase|Vasen|f|vase|vases|thing
N|Besen|Besen|m|broom|brooms|thing
N|Eimer|Eimer|m|bucket|buckets|thing
N|Teppich|Teppiche|m|carpet|carpets|thing
# ---------------------------------------------------------------- furniture and landmarks
N|Tisch|Tische|m|table|tables|furniture landmark|loc=auf:on/unter:under
N|Stuhl|Stühle|m|chair|chairs|furniture landmark|loc=auf:on/unter:under
N|Bett|Betten|n|bed|beds|furniture landmark|loc=in:in/unter:under
N|Sofa|Sofas|n|sofa|sofas|furniture landmark|loc=auf:on
N|Schrank|Schränke|m|cupboard|cupboards|furniture landmark open lock room|loc=in:in
N|Regal|Regale|n|shelf|shelves|furniture landmark|loc=in:on
N|Bank|Bänke|f|bench|benches|furniture landmark|loc=auf:on
N|Fenster|Fenster|n|window|windows|furniture landmark open lock|loc=an:at
N|Tür|Türen|f|door|doors|furniture landmark open lock|loc=an:at
N|Baum|Bäume|m|tree|trees|plant landmark around|loc=unter:under/auf:in
N|Brunnen|Brunnen|m|fountain|fountains|landmark around|loc=an:by
# ---------------------------------------------------------------- vehicles
N|Auto|Autos|n|car|cars|vehicle landmark lock|loc=in:in
N|Bus|Busse|m|bus|buses|vehicle landmark|loc=in:on
N|Zug|Züge|m|train|trains|vehicle landmark|loc=in:on
N|Fahrrad|Fahrräder|n|bicycle|bicycles|vehicle landmark|loc=auf:on
N|Boot|Boote|n|boat|boats|vehicle landmark|loc=in:in
N|Schiff|Schiffe|n|ship|ships|vehicle landmark|loc=auf:on
N|Flugzeug|Flugzeuge|n|plane|planes|vehicle landmark|loc=in:on
N|Taxi|Taxis|n|taxi|taxis|vehicle landmark|loc=in:in
N|Straßenbahn|Straßenbahnen|f|tram|trams|vehicle landmark|loc=in:on
N|Motorrad|Motorräder|n|motorbike|motorbikes|vehicle landmark|loc=auf:on
N|Lastwagen|Lastwagen|m|lorry|lorries|vehicle landmark|loc=in:in
N|Traktor|Traktoren|m|tractor|tractors|vehicle landmark|loc=auf:on
# ---------------------------------------------------------------- places
N|Park|Parks|m|park|parks|place landmark trav around|loc=in:in
N|Garten|Gärten|m|garden|gardens|place landmark trav|loc=in:in
N|Stadt|Städte|f|town|towns|place trav|loc=in:in
N|Dorf|Dörfer|n|village|villages|place trav|loc=in:in
N|Wald|Wälder|m|forest|forests|place landmark trav|loc=in:in
N|Strand|Strände|m|beach|beaches|place landmark|loc=an:on
N|See|Seen|m|lake|lakes|place landmark around|loc=an:by
N|Fluss|Flüsse|m|river|rivers|place landmark across|loc=an:by
N|Berg|Berge|m|mountain|mountains|place landmark|loc=auf:on
N|Brücke|Brücken|f|bridge|bridges|place landmark across built|loc=auf:on/unter:under
N|Straße|Straßen|f|street|streets|place trav across|loc=auf:in
N|Platz|Plätze|m|square|squares|place landmark around across|loc=auf:in
N|Markt|Märkte|m|market|markets|place landmark trav|loc=auf:at
N|Insel|Inseln|f|island|islands|place|loc=auf:on
N|Feld|Felder|n|field|fields|place landmark across|loc=auf:in
N|Wiese|Wiesen|f|meadow|meadows|place landmark trav across|loc=auf:in
N|Spielplatz|Spielplätze|m|playground|playgrounds|place landmark|loc=auf:in
N|Hof|Höfe|m|courtyard|courtyards|place landmark|loc=in:in
N|Bauernhof|Bauernhöfe|m|farm|farms|place landmark|loc=auf:on
N|Hafen|Häfen|m|harbour|harbours|place landmark|loc=in:in
N|Zoo|Zoos|m|zoo|zoos|place landmark|loc=in:at
N|Flughafen|Flughäfen|m|airport|airports|place landmark|loc=an:at
N|Haus|Häuser|n|house|houses|building landmark around built room|loc=in:in
N|Wohnung|Wohnungen|f|flat|flats|building room|loc=in:in
N|Zimmer|Zimmer|n|room|rooms|building room|loc=in:in
N|Küche|Küchen|f|kitchen|kitchens|building room|loc=in:in
N|Keller|Keller|m|cellar|cellars|building room|loc=in:in
N|Büro|Büros|n|office|offices|building room|loc=in:in
N|Garage|Garagen|f|garage|garages|building landmark built room lock|loc=in:in
N|Hütte|Hütten|f|hut|huts|building landmark built|loc=in:in
N|Turm|Türme|m|tower|towers|building landmark around built|loc=auf:on
N|Schloss|Schlösser|n|castle|castles|building landmark|loc=in:in
N|Schule|Schulen|f|school|schools|building landmark|loc=in:at
N|Kindergarten|Kindergärten|m|kindergarten|kindergartens|building landmark|loc=in:at
N|Universität|Universitäten|f|university|universities|building landmark|loc=an:at
N|Bahnhof|Bahnhöfe|m|station|stations|building landmark|loc=an:at
N|Kirche|Kirchen|f|church|churches|building landmark around|loc=in:in
N|Bibliothek|Bibliotheken|f|library|libraries|building landmark|loc=in:in
N|Museum|Museen|n|museum|museums|building landmark|loc=in:in
N|Kino|Kinos|n|cinema|cinemas|building landmark|loc=in:at
N|Theater|Theater|n|theatre|theatres|building landmark|loc=in:at
N|Restaurant|Restaurants|n|restaurant|restaurants|building landmark|loc=in:in
N|Café|Cafés|n|cafe|cafes|building landmark|loc=in:in
N|Hotel|Hotels|n|hotel|hotels|building landmark|loc=in:in
N|Krankenhaus|Krankenhäuser|n|hospital|hospitals|building landmark|loc=in:in
N|Supermarkt|Supermärkte|m|supermarket|supermarkets|building landmark|loc=in:in
N|Bäckerei|Bäckereien|f|bakery|bakeries|building landmark|loc=in:in
N|Laden|Läden|m|shop|shops|building landmark|loc=in:in
N|Apotheke|Apotheken|f|pharmacy|pharmacies|building landmark|loc=in:at
N|Schwimmbad|Schwimmbäder|n|swimming pool|swimming pools|building landmark|loc=in:at
# ---------------------------------------------------------------- events
N|Film|Filme|m|film|films|event
N|Konzert|Konzerte|n|concert|concerts|event music
N|Spiel|Spiele|n|game|games|event
N|Party|Partys|f|party|parties|event
N|Prüfung|Prüfungen|f|exam|exams|event
N|Reise|Reisen|f|journey|journeys|event
N|Pause|Pausen|f|break|breaks|event
N|Stunde|Stunden|f|lesson|lessons|event
N|Fest|Feste|n|festival|festivals|event
N|Hochzeit|Hochzeiten|f|wedding|weddings|event
N|Besuch|Besuche|m|visit|visits|event
N|Ausflug|Ausflüge|m|excursion|excursions|event
N|Vortrag|Vorträge|m|talk|talks|event
N|Sitzung|Sitzungen|f|meeting|meetings|event
N|Geburtstag|Geburtstage|m|birthday|birthdays|event
N|Spaziergang|Spaziergänge|m|walk|walks|event
# ---------------------------------------------------------------- adjectives
A|schön|beautiful|1|person animal place building thing cloth plant vehicle furniture
A|hässlich|ugly|1|animal building thing cloth vehicle furniture
A|gut|good|1|person food drink text event idea music
A|schlecht|bad|1|food drink text event idea music
A|nett|nice|1|person
A|freundlich|friendly|1|person animal
A|lustig|funny|1|person text event music tell
A|interessant|interesting|1|person text event idea building
A|langweilig|boring|1|person text event idea
A|wichtig|important|1|person text idea event note
A|lecker|delicious|1|food drink
A|berühmt|famous|1|person building text music
A|beliebt|popular|1|person place building music text event
A|gefährlich|dangerous|1|animal place vehicle
A|bequem|comfortable|1|cloth furniture vehicle
A|praktisch|practical|1|thing cloth idea
A|seltsam|strange|1|person animal text idea event
A|wunderbar|wonderful|1|place building text event music idea
A|teuer|expensive|1|thing cloth vehicle food drink building|stem=teur
A|billig|cheap|1|thing cloth vehicle food
A|groß|big|2|person animal thing cloth vehicle building place furniture plant
A|klein|small|2|person animal thing cloth vehicle building place furniture plant food
A|riesig|huge|2|animal thing vehicle building place furniture plant
A|winzig|tiny|2|animal thing building
A|lang|long|2|text event cloth vehicle
A|kurz|short|2|text event cloth
A|hoch|tall|2|building plant|stem=hoh
A|schwer|heavy|3|thing furniture
A|leer|empty|3|open room
A|voll|full|3|open room
A|sauber|clean|3|room cloth vehicle thing furniture
A|schmutzig|dirty|3|room cloth vehicle thing furniture animal person
A|kaputt|broken|3|thing vehicle furniture|nograd
A|warm|warm|3|drink food cloth room
A|kalt|cold|3|drink food room
A|heiß|hot|3|drink food
A|frisch|fresh|3|food drink
A|süß|sweet|3|food drink
A|weich|soft|3|cloth furniture food
A|rund|round|3|thing furniture|nograd
A|sicher|safe|3|place building vehicle
A|müde|tired|3|person animal
A|hungrig|hungry|3|person animal
A|glücklich|happy|3|person animal
A|traurig|sad|3|person animal text music event
A|krank|sick|3|person animal
A|stark|strong|3|person animal drink
A|klug|clever|3|person animal idea
A|fleißig|diligent|3|person
A|faul|lazy|3|person animal
A|ruhig|quiet|3|person animal place room
A|laut|noisy|3|person animal event place
A|reich|rich|3|person
A|arm|poor|3|person
A|höflich|polite|3|person
A|mutig|brave|3|person animal
A|neugierig|curious|3|person animal
A|wütend|angry|3|person animal
A|nervös|nervous|3|person animal
A|ehrlich|honest|3|person
A|ordentlich|tidy|3|person room
A|dunkel|dark|3|room place building cloth|stem=dunkl
A|hell|bright|3|room
A|gesund|healthy|3|person animal food
A|wild|wild|3|animal
A|schnell|fast|3|animal vehicle person
A|langsam|slow|3|animal vehicle person
A|alt|old|4|person animal building thing cloth vehicle text furniture plant
A|jung|young|4|person animal
A|neu|new|4|thing cloth vehicle text building furniture
A|modern|modern|4|building vehicle thing furniture
A|rot|red|5|thing cloth vehicle building furniture pick|nograd
A|blau|blue|5|thing cloth vehicle building furniture|nograd
A|grün|green|5|thing cloth vehicle building furniture pick|nograd
A|gelb|yellow|5|thing cloth vehicle building furniture pick|nograd
A|schwarz|black|5|thing cloth vehicle furniture animal|nograd
A|weiß|white|5|thing cloth vehicle building furniture animal|nograd
A|braun|brown|5|thing cloth furniture animal|nograd
A|grau|grey|5|thing cloth vehicle building animal|nograd
A|bunt|colourful|5|thing cloth building plant|nograd
# ---------------------------------------------------------------- verbs: intransitive
V|intr|schlafen|schläfst schläft|sleep|living||
V|intr|lachen|-|laugh|person||
V|intr|weinen|-|cry|person||
V|intr|arbeiten|-|work|person||
V|intr|warten|-|wait|living||
V|intr|tanzen|-|dance|person||
V|intr|singen|-|sing|person||
V|intr|spielen|-|play|living|||vs
V|intr|schwimmen|-|swim|living||
V|intr|lernen|-|study|person||
V|intr|träumen|-|dream|living||
V|intr|lächeln|-|smile|person||
V|intr|schreien|-|shout|living||
V|intr|frühstücken|-|have/has breakfast|person||
V|intr|kochen|-|cook|person||
V|intr|joggen|-|jog|person||
V|intr|segeln|-|sail|person||
V|intr|klettern|-|climb|living||
V|intr|feiern|-|celebrate|person||
V|intr|husten|-|cough|living||
V|intr|zittern|-|shiver|living||
V|intr|sitzen|-|sit|living||
V|intr|stehen|-|stand|living||
V|intr|liegen|-|lie|living||
V|intr|springen|-|jump|living||
V|intr|kämpfen|-|fight|living|||vs
V|intr|gewinnen|-|win|person|||vs
V|intr|telefonieren|-|talk on the phone|person||
V|intr|auf+stehen|-|get ~up|person||
V|intr|ein+kaufen|-|go shopping|person||
V|intr|ein+schlafen|schläfst schläft|fall asleep|living||
V|intr|auf+wachen|-|wake ~up|living||
V|intr|an+fangen|fängst fängt|start|person||
V|intr|auf+hören|-|stop|person||
V|intr|fern+sehen|siehst sieht|watch television|person||
V|intr|an+kommen|-|arrive|living vehicle||
V|intr|ab+fahren|fährst fährt|leave|person vehicle||
V|intr|zurück+kommen|-|come ~back|living||
V|intr|mit+kommen|-|come ~along|living||
V|intr|aus+gehen|-|go ~out|person||
V|intr|weg+laufen|läufst läuft|run ~away|living||
V|intr|mit+machen|-|join ~in|person||
V|intr|auf+passen|-|pay attention|person||
V|intr|um+ziehen|-|move house|person||
V|intr|auf+räumen|-|tidy ~up|person||
# ---------------------------------------------------------------- verbs: motion (+ direction)
V|motion|gehen|-|go|person animal||
V|motion|kommen|-|come|living vehicle||
V|motion|fahren|fährst fährt|drive|person||
V|motion|laufen|läufst läuft|walk|living||
V|motion|rennen|-|run|living||
V|motion|fliegen|-|fly|person||
V|motion|reisen|-|travel|person||
V|motion|eilen|-|hurry|person||
V|motion|wandern|-|hike|person||
V|motion|reiten|-|ride|person||
V|motion|kriechen|-|crawl|living||
# ---------------------------------------------------------------- verbs: accusative object
V|trans|lesen|liest liest|read {A}|person|text|
V|trans|kaufen|-|buy {A}|person|portable drink vehicle|
V|trans|sehen|siehst sieht|see {A}|living|visible|
V|trans|essen|isst isst|eat {A}|living|food|
V|trans|trinken|-|drink {A}|living|drink|
V|trans|nehmen|nimmst nimmt|take {A}|person|portable drink|
V|trans|finden|-|find {A}|living|portable animal|
V|trans|suchen|-|look ^for {A}|living|portable person animal|
V|trans|brauchen|-|need {A}|person|portable vehicle|
V|trans|lieben|-|love {A}|person|person animal|
V|trans|kennen|-|know {A}|person|person place building|
V|trans|besuchen|-|visit {A}|person|person building place|
V|trans|tragen|trägst trägt|carry {A}|living|portable|
V|trans|waschen|wäschst wäscht|wash {A}|person|cloth vehicle animal|
V|trans|malen|-|paint {A}|person|person animal place building plant|
V|trans|zeichnen|-|draw {A}|person|person animal building vehicle plant|
V|trans|fotografieren|-|photograph {A}|person|visible|
V|trans|schreiben|-|write {A}|person|write|
V|trans|bauen|-|build {A}|person|built|
V|trans|öffnen|-|open {A}|person|open|
V|trans|schließen|-|close {A}|person|open|
V|trans|verkaufen|-|sell {A}|person|portable vehicle|
V|trans|bezahlen|-|pay ^for {A}|person|portable drink|
V|trans|fragen|-|ask {A}|person|person|
V|trans|treffen|triffst trifft|meet {A}|person|person|
V|trans|rufen|-|call {A}|living|person animal|
V|trans|hören|-|hear {A}|living|person animal music|
V|trans|vergessen|vergisst vergisst|forget {A}|person|portable idea note|
V|trans|verlieren|-|lose {A}|person|portable|
V|trans|holen|-|fetch {A}|living|portable|
V|trans|reparieren|-|repair {A}|person|thing vehicle furniture|
V|trans|putzen|-|clean {A}|person|room vehicle furniture|
V|trans|füttern|-|feed {A}|person|animal|
V|trans|fangen|fängst fängt|catch {A}|living|animal|
V|trans|verstehen|-|understand {A}|person|person idea text|
V|trans|beobachten|-|watch {A}|living|person animal|
V|trans|bestellen|-|order {A}|person|food drink|
V|trans|kochen|-|cook {A}|person|cook|
V|trans|backen|-|bake {A}|person|baked|
V|trans|schneiden|-|cut {A}|person|food|
V|trans|mögen|mag magst mag mögen mögt mögen|like {A}|living|person animal food drink text music cloth|
V|trans|haben|habe hast hat haben habt haben|have/has {A}|person|portable animal vehicle|
V|trans|werfen|wirfst wirft|throw {A}|person|small|
V|trans|halten|hältst hält|hold {A}|person|portable animal|
V|trans|pflücken|-|pick {A}|person|pick|
V|trans|gießen|-|water {A}|person|plant|
V|trans|streicheln|-|stroke {A}|person|animal|
V|trans|umarmen|-|hug {A}|person|person animal|
V|trans|küssen|-|kiss {A}|person|person animal|
V|trans|begrüßen|-|greet {A}|person|person|
V|trans|erreichen|-|reach {A}|person vehicle|place building|
V|trans|verlassen|verlässt verlässt|leave {A}|person|place building person|
V|trans|benutzen|-|use {A}|person|thing vehicle|
V|trans|lernen|-|learn {A}|person|learn|
V|trans|zählen|-|count {A}|person|portable animal|
V|trans|sammeln|-|collect {A}|person|thing|
V|trans|teilen|-|share {A}|person|food drink|
V|trans|beißen|-|bite {A}|animal|person animal|
V|trans|jagen|-|chase {A}|living|animal|
V|trans|retten|-|rescue {A}|person|person animal|
V|trans|wecken|-|wake ~up {A}|living|person|
V|trans|trösten|-|comfort {A}|person|person|
V|trans|bemerken|-|notice {A}|living|visible|
V|trans|erkennen|-|recognise {A}|living|person animal building|
V|trans|vermissen|-|miss {A}|person|person animal|
V|trans|singen|-|sing {A}|person|music|
V|trans|kennen+lernen|-|get to know {A}|person|person|
V|trans|an+rufen|-|call {A}|person|person|
V|trans|ab+holen|-|pick ~up {A}|person|person portable|
V|trans|ein+laden|lädst lädt|invite {A}|person|person|
V|trans|an+ziehen|-|put ~on {A}|person|cloth|
V|trans|aus+ziehen|-|take ~off {A}|person|cloth|
V|trans|auf+machen|-|open {A}|person|open|
V|trans|zu+machen|-|close {A}|person|open|
V|trans|an+schauen|-|look ^at {A}|living|visible|
V|trans|an+sehen|siehst sieht|look ^at {A}|living|visible|
V|trans|auf+räumen|-|tidy ~up {A}|person|room|
V|trans|weg+werfen|wirfst wirft|throw ~away {A}|person|thing food text cloth|
V|trans|auf+schreiben|-|write ~down {A}|person|note|
V|trans|mit+bringen|-|bring {A} along|person|portable drink|
V|trans|ein+schalten|-|switch ~on {A}|person|device|
V|trans|aus+schalten|-|switch ~off {A}|person|device|
V|trans|vor+bereiten|-|prepare {A}|person|event food|
V|trans|auf+heben|-|pick ~up {A}|person|thing cloth text|
V|trans|ein+packen|-|pack {A}|person|portable|
V|trans|aus+packen|-|unpack {A}|person|portable|
V|trans|zurück+bringen|-|bring {A} back|person|portable text|
V|trans|ab+schließen|-|lock {A}|person|lock|
# ---------------------------------------------------------------- verbs: dative object
V|dat|helfen|hilfst hilft|help {D}|person animal||person animal
V|dat|danken|-|thank {D}|person||person
V|dat|folgen|-|follow {D}|living||person animal vehicle
V|dat|antworten|-|answer {D}|person||person
V|dat|gratulieren|-|congratulate {D}|person||person
V|dat|zu+hören|-|listen ^to {D}|living||person
V|dat|gehören|-|belong ^to {D}|portable animal vehicle||person
V|dat|vertrauen|-|trust {D}|person||person animal
V|dat|winken|-|wave ^to {D}|person||person
V|dat|zu+schauen|-|watch {D}|person||person animal
V|dat|begegnen|-|meet {D}|person||person animal
V|dat|zu+stimmen|-|agree ^with {D}|person||person
V|dat|widersprechen|widersprichst widerspricht|contradict {D}|person||person
# ---------------------------------------------------------------- verbs: dative and accusative
V|ditrans|geben|gibst gibt|give {A} ^to {D}|person|portable drink text|person animal
V|ditrans|schenken|-|give {A} ^to {D}|person|portable|person
V|ditrans|zeigen|-|show {A} ^to {D}|person|portable animal text|person
V|ditrans|bringen|-|bring {A} ^to {D}|person|portable drink text|person animal
V|ditrans|schicken|-|send {A} ^to {D}|person|portable text|person
V|ditrans|leihen|-|lend {A} ^to {D}|person|portable vehicle|person
V|ditrans|erklären|-|explain {A} ^to {D}|person|idea|person
V|ditrans|erzählen|-|tell {D} {A}|person|tell|person
V|ditrans|empfehlen|empfiehlst empfiehlt|recommend {A} ^to {D}|person|portable drink building event|person
V|ditrans|verkaufen|-|sell {A} ^to {D}|person|portable vehicle|person
V|ditrans|reichen|-|pass {A} ^to {D}|person|portable drink|person
V|ditrans|zurück+geben|gibst gibt|give {A} back ^to {D}|person|portable text|person
V|ditrans|vor+lesen|liest liest|read {A} ^to {D}|person|text|person
V|ditrans|an+bieten|-|offer {A} ^to {D}|person|portable drink|person
V|ditrans|stehlen|stiehlst stiehlt|steal {A} ^from {D}|person animal|portable|person
# ---------------------------------------------------------------- verbs: predicate, place, clause, weather
V|copula|sein|bin bist ist sind seid sind|be|all||
V|copula|werden|werde wirst wird werden werdet werden|become|living||
V|copula|bleiben|-|stay|living||
V|copula|aus+sehen|siehst sieht|look|visible||
V|loc|sein|bin bist ist sind seid sind|be|living portable vehicle||
V|loc|bleiben|-|stay|living||
V|loc|wohnen|-|live|person animal||
V|comp|wissen|weiß weißt weiß wissen wisst wissen|know|person|||dass ob
V|comp|glauben|-|believe|person|||dass
V|comp|sagen|-|say|person|||dass
V|comp|denken|-|think|person|||dass
V|comp|hoffen|-|hope|person|||dass
V|comp|hören|-|hear|person|||dass
V|comp|sehen|siehst sieht|see|person|||dass
V|comp|fragen|-|ask|person|||ob
V|comp|vergessen|vergisst vergisst|forget|person|||dass
V|comp|bemerken|-|notice|person|||dass
V|comp|träumen|-|dream|person|||dass
V|comp|fürchten|-|fear|person|||dass
V|comp|vermuten|-|suspect|person|||dass
V|comp|überlegen|-|wonder|person|||ob
V|weather|regnen|-|rain|||
V|weather|schneien|-|snow|||
V|weather|donnern|-|thunder|||
# ---------------------------------------------------------------- adverbs
T|heute|today|front
T|jetzt|now|front
T|abends|in the evening|front
T|morgens|in the morning|front
T|nachmittags|in the afternoon|front
T|heute Abend|this evening|front
T|am Wochenende|at the weekend|front
T|im Sommer|in summer|front
T|im Winter|in winter|front
T|sonntags|on Sundays|front
T|montags|on Mondays|front
T|danach|afterwards|front
T|jeden Tag|every day|front nichtfirst
T|jede Woche|every week|front nichtfirst
T|oft|often|front nichtfirst preverb
T|immer|always|nichtfirst preverb
T|manchmal|sometimes|front noneg preverb
T|selten|rarely|noneg preverb
T|meistens|usually|front noneg preverb
T|wieder|again|noneg
M|schnell|quickly|
M|langsam|slowly|
M|leise|quietly|
M|laut|loudly|
M|vorsichtig|carefully|
M|allein|alone|
M|zusammen|together|pl
M|gemeinsam|together|pl
M|fröhlich|happily|
M|ruhig|calmly|
M|geduldig|patiently|
M|ungeduldig|impatiently|
M|heimlich|secretly|
M|sorgfältig|thoroughly|
I|sehr|very|
I|ziemlich|quite|
I|wirklich|really|
I|besonders|especially|
I|zu|too|pred
I|so|so|pred
# ---------------------------------------------------------------- names
P|Anna|f
P|Maria|f
P|Lisa|f
P|Sarah|f
P|Julia|f
P|Laura|f
P|Emma|f
P|Lena|f
P|Sophie|f
P|Clara|f
P|Peter|m
P|Thomas|m
P|Michael|m
P|Paul|m
P|Max|m
P|Lukas|m
P|Jonas|m
P|David|m
P|Tom|m
P|Felix|m
# ---------------------------------------------------------------- modal verbs
Mod|können|kann kannst kann können könnt können|pure|can|cannot
Mod|wollen|will willst will wollen wollt wollen|verb|want to|
Mod|müssen|muss musst muss müssen müsst müssen|verb|have/has to|
Mod|dürfen|darf darfst darf dürfen dürft dürfen|be|allowed to|
Mod|sollen|soll sollst soll sollen sollt sollen|pure|should|should not
Mod|möchten|möchte möchtest möchte möchten möchtet möchten|pure|would like to|would not like to
# ---------------------------------------------------------------- prepositions
R|mit|with|dat
R|von|from|dat
R|zu|to|dat
R|aus|out of|dat
R|bei|near|dat
R|nach|after|dat
R|für|for|acc
R|ohne|without|acc
R|durch|through|acc
R|gegen|against|acc
R|um|around|acc
R|über|across|acc
R|in|in|dat
R|an|at|dat
R|auf|on|dat
R|unter|under|dat
R|neben|next to|dat
R|hinter|behind|dat
R|vor|in front of|dat
# ---------------------------------------------------------------- conjunctions
C|und|and|coord
C|oder|or|coord
C|aber|but|coord|comma
C|denn|because|coord|comma
C|weil|because|sub
C|obwohl|although|sub
C|wenn|when|sub
C|während|while|sub
C|bevor|before|sub
C|sobald|as soon as|sub
C|bis|until|sub
C|dass|that|comp
C|ob|whether|comp
)LEX";
}

}  // namespace seq2seq::data::synth
